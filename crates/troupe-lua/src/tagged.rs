//! Luau userdata of Troupe's own: a Rust value in a *tagged* Luau userdata (not an mlua
//! one), whose hot methods are raw Luau C functions.
//!
//! Why: an mlua userdata method costs ≈ 1,000 instructions before it does anything (the
//! protected-call wrapper, the type check through the registry, the borrow flag, argument
//! and result conversion), and making an mlua userdata ≈ 1,100 (callgrind, issue 13). A
//! received message is made once per message and asked for its topic, sender and payload
//! on every receive, so those costs were most of a Lua round trip. A tagged userdata is made
//! in one Luau call (`lua_newuserdatataggedwithmetatable`: the tag's metatable is set by
//! Luau), and a raw C method finds its value with one tag compare
//! (`lua_touserdatatagged`).
//!
//! The rules every raw method here keeps:
//! - **No Rust value that needs dropping is alive across a Luau call that can raise.** A
//!   Luau error (a refused allocation under `max_memory`, a bad argument) is a `longjmp`
//!   over the raw function's frame (Luau is built with `LUA_USE_LONGJMP`, see
//!   `.cargo/config.toml`), which runs no destructor; the functions hold only references
//!   into the userdata, copies of plain data, and values in `ManuallyDrop` at those points
//!   (a value lost that way leaks, it is never half dropped).
//! - **The value is reached only through its tag**, so a userdata of another type (mlua's
//!   or ours) is refused with a Lua error naming the type expected, never misread.
//! - **Metatables are locked as mlua's are** (`__metatable = false`, frozen, method table
//!   frozen): a process cannot reach or change a metatable the VM's other processes share
//!   (SPEC §3.6, `sandbox.rs`).
//! - The value is dropped by Luau's destructor for its tag when the collector frees it.
//!
//! Methods that are not hot (and building values through mlua, e.g. a table payload's
//! copy) stay mlua functions; they take the object as a plain Lua value and reach the Rust
//! value with [`with`].

use std::ffi::{CStr, c_int, c_void};

use mlua::{FromLua, Lua, Table, Value as LuaValue};

use mlua::ffi;

/// A Rust type stored in a tagged Luau userdata.
pub(crate) trait Tagged: Sized + 'static {
    /// Its Luau userdata tag: unique per type, below `LUA_UTAG_LIMIT` (128); mlua uses 0
    /// (its userdata) and 1 (a destructed one).
    const TAG: c_int;
    /// The type's name in error messages (`process.Message`).
    const NAME: &'static str;
}

/// Luau's destructor for `T`'s tag: drops the value in place when the collector frees the
/// userdata. Runs inside the collector, so it calls no Lua API.
unsafe extern "C" fn destroy<T: Tagged>(_l: *mut ffi::lua_State, ud: *mut c_void) {
    unsafe { std::ptr::drop_in_place(ud as *mut T) }
}

/// Register `T` on `lua`'s VM: its destructor and its metatable. The metatable is locked
/// (`__metatable = false`) and frozen with its `__index` table. Once per VM, before any
/// value of `T` is made.
///
/// Errors: Lua memory errors.
pub(crate) fn install<T: Tagged>(lua: &Lua, metatable: Table) -> mlua::Result<()> {
    metatable.raw_set("__metatable", false)?;
    if let Ok(LuaValue::Table(index)) = metatable.raw_get::<LuaValue>("__index") {
        index.set_readonly(true);
    }
    metatable.set_readonly(true);
    // SAFETY: `exec_raw` pushes the table; `lua_setuserdatametatable` pops it. The tag is
    // below the limit and set once per VM (the VM is new).
    unsafe {
        lua.exec_raw::<()>(metatable, |l| {
            ffi::lua_setuserdatadtor(l, T::TAG, Some(destroy::<T>));
            ffi::lua_setuserdatametatable(l, T::TAG);
        })
    }
}

/// [`install`] with the metatable `{__index = methods, __tostring = tostring(value)}`.
///
/// Errors: Lua memory errors.
pub(crate) fn install_methods<T: Tagged>(
    lua: &Lua,
    methods: Table,
    tostring: fn(&T) -> String,
) -> mlua::Result<()> {
    let mt = lua.create_table()?;
    mt.raw_set("__index", methods)?;
    mt.raw_set(
        "__tostring",
        lua.create_function(move |lua, this: LuaValue| {
            with_self::<T, _>(lua, "__tostring", &this, |t| Ok(tostring(t)))
        })?,
    )?;
    install::<T>(lua, mt)
}

/// Push a new userdata holding `v` on `l`'s stack.
///
/// # Safety
/// `l` is a thread of a VM where [`install`] ran for `T`, with a free stack slot. May raise
/// a Luau memory error (then `v` is leaked: it is held in `ManuallyDrop` meanwhile).
pub(crate) unsafe fn push<T: Tagged>(l: *mut ffi::lua_State, v: T) {
    let v = std::mem::ManuallyDrop::new(v);
    unsafe {
        let p = ffi::lua_newuserdatataggedwithmetatable(l, std::mem::size_of::<T>(), T::TAG);
        std::ptr::write(p as *mut T, std::mem::ManuallyDrop::into_inner(v));
    }
}

/// The `T` at stack index `idx`, if the value there is one.
///
/// # Safety
/// `l` is a live thread; the reference is valid while the value stays on the stack.
pub(crate) unsafe fn get<'a, T: Tagged>(l: *mut ffi::lua_State, idx: c_int) -> Option<&'a T> {
    unsafe { (ffi::lua_touserdatatagged(l, idx, T::TAG) as *const T).as_ref() }
}

/// The `T` that is argument 1 (`self`) of a method, or a Lua error naming the method and
/// the type expected.
///
/// # Safety
/// As [`get`]; called from a raw C function, where raising is allowed.
pub(crate) unsafe fn this<'a, T: Tagged>(l: *mut ffi::lua_State, method: &CStr) -> &'a T {
    unsafe {
        match get::<T>(l, 1) {
            Some(t) => t,
            None => {
                let msg = format!(
                    "bad argument #1 to '{}' ({} expected, got {})",
                    method.to_string_lossy(),
                    T::NAME,
                    type_name(l, 1)
                );
                raise(l, msg)
            }
        }
    }
}

/// The Lua type name of the value at `idx`.
unsafe fn type_name(l: *mut ffi::lua_State, idx: c_int) -> String {
    unsafe {
        let t = ffi::lua_type(l, idx);
        let name = ffi::lua_typename(l, t);
        if name.is_null() {
            return "no value".to_string();
        }
        CStr::from_ptr(name).to_string_lossy().into_owned()
    }
}

/// Raise `msg` as a Lua error. The message is copied into Lua before the raise, and the
/// Rust string is dropped first (held in `ManuallyDrop` while the copy may raise).
///
/// # Safety
/// Called from a raw C function (a Luau error may `longjmp` over it).
pub(crate) unsafe fn raise(l: *mut ffi::lua_State, msg: String) -> ! {
    let mut msg = std::mem::ManuallyDrop::new(msg);
    unsafe {
        ffi::lua_pushlstring(l, msg.as_ptr() as *const _, msg.len());
        std::mem::ManuallyDrop::drop(&mut msg);
        ffi::lua_error(l)
    }
}

/// Push `s` as a Lua string.
///
/// # Safety
/// `l` is a live thread with a free stack slot; may raise a Luau memory error.
pub(crate) unsafe fn push_str(l: *mut ffi::lua_State, s: &[u8]) {
    unsafe {
        ffi::lua_pushlstring(l, s.as_ptr() as *const _, s.len());
    }
}

/// A Lua value of a new userdata holding `v`, made on the thread mlua uses now. Inside a
/// process it is made on mlua's fast path ([`crate::memory::Unguarded`]: a constant-size
/// build, whose allocation the limit does not refuse); outside one, in a protected call.
///
/// Errors: no stack slot; mlua's reference stack is full; a Lua memory error (outside a
/// process).
pub(crate) fn value<T: Tagged>(lua: &Lua, v: T) -> mlua::Result<LuaValue> {
    let fast = crate::process::fast_guard();
    if fast.is_none() {
        // SAFETY: one free slot is checked by `exec_raw`; a refused allocation is caught
        // by its protected call.
        return unsafe { lua.exec_raw::<LuaValue>((), |l| push::<T>(l, v)) };
    }
    lua.exec_raw_lua(|raw| unsafe {
        let l = raw.state();
        if ffi::lua_checkstack(l, 2) == 0 {
            return Err(mlua::Error::StackError);
        }
        push::<T>(l, v);
        let r = <LuaValue as FromLua>::from_stack(-1, raw);
        ffi::lua_pop(l, 1);
        r
    })
}

/// Run `f` with the `T` that `v` holds; `None` when `v` is not a `T`.
///
/// Errors: no stack slot; whatever `f` returns.
pub(crate) fn with<T: Tagged, R>(
    lua: &Lua,
    v: &LuaValue,
    f: impl FnOnce(&T) -> mlua::Result<R>,
) -> mlua::Result<Option<R>> {
    if !matches!(v, LuaValue::UserData(_)) {
        return Ok(None);
    }
    // The value stays referenced by `v` while `f` runs, so the userdata is not collected.
    let ptr = lua.exec_raw_lua(|raw| unsafe {
        let l = raw.state();
        if ffi::lua_checkstack(l, 2) == 0 {
            return Err(mlua::Error::StackError);
        }
        raw.push_value(v)?;
        let p = get::<T>(l, -1).map(|t| t as *const T);
        ffi::lua_pop(l, 1);
        Ok(p)
    })?;
    match ptr {
        // SAFETY: the userdata is alive (held by `v`) and its value is never moved.
        Some(p) => f(unsafe { &*p }).map(Some),
        None => Ok(None),
    }
}

/// Run `f` with the `T` that is `self` of a slow method, or a Lua error as [`this`].
///
/// Errors: `v` is not a `T`; whatever `f` returns.
pub(crate) fn with_self<T: Tagged, R>(
    lua: &Lua,
    method: &str,
    v: &LuaValue,
    f: impl FnOnce(&T) -> mlua::Result<R>,
) -> mlua::Result<R> {
    match with::<T, R>(lua, v, f)? {
        Some(r) => Ok(r),
        None => Err(mlua::Error::runtime(format!(
            "bad argument #1 to '{method}' ({} expected, got {})",
            T::NAME,
            v.type_name()
        ))),
    }
}

/// A raw C function as a Lua function.
///
/// Errors: Lua memory errors.
pub(crate) fn function(lua: &Lua, f: ffi::lua_CFunction) -> mlua::Result<mlua::Function> {
    // SAFETY: every function passed here follows the module's rules.
    unsafe { lua.create_c_function(f) }
}
