;; Canonical ABI by hand: strings arrive as (ptr, len) in linear memory, the host copies
;; them in through `cabi_realloc`; a string result is returned through a (ptr, len) pair.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  ;; A bump allocator: realloc(old_ptr, old_size, align, new_size) -> ptr
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    global.get $heap
    local.get 2 i32.const 1 i32.sub i32.add
    i32.const 0 local.get 2 i32.sub i32.and
    local.set $p
    local.get $p local.get 3 i32.add global.set $heap
    local.get $p)
  (func (export "strlen") (param i32 i32) (result i32)
    local.get 1)
  (func (export "echo") (param $ptr i32) (param $len i32) (result i32)
    i32.const 16 local.get $ptr i32.store
    i32.const 20 local.get $len i32.store
    i32.const 16))
