//! The global allocator: mimalloc, called through its unaligned entry points whenever the
//! requested alignment allows.
//!
//! Why: the `mimalloc` crate's `GlobalAlloc` sends every request to `mi_malloc_aligned`,
//! whose fast path serves a request only from a size class's local free list. When that
//! list is empty (every other allocation in a Lua ping-pong round trip: frees land on
//! the page's other list until a collection moves them) it takes the generic aligned path
//! (`mi_theap_malloc_zero_aligned_at_generic`, with an over-allocation check, ≈ 150
//! instructions; 313,809 of 626,842 aligned calls in a quick ping-pong run under callgrind)
//! instead of `mi_malloc`'s cheaper page collection. mlua asks for every Luau allocation
//! with 16-byte alignment (its `SYS_MIN_ALIGN`).
//!
//! The rules: alignment ≤ 8 → `mi_malloc` (which always returns 8-byte-aligned blocks);
//! alignment 16 → `mi_malloc` of the size rounded up to a multiple of 16 (every size class
//! of a multiple of 16 bytes has its blocks at 16-byte steps from a 16-byte-aligned page
//! start), checked, falling back to `mi_malloc_aligned` when a block is not aligned;
//! larger alignments → `mi_malloc_aligned`. `mi_free` needs no layout.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// mimalloc through its unaligned entry points where the alignment allows (module doc).
pub struct Allocator;

/// What `mi_malloc` guarantees for every size.
const WORD: usize = 8;
/// The alignment served by rounding the size (mlua's `SYS_MIN_ALIGN` on 64-bit targets).
const ROUNDED: usize = 16;

/// `size` rounded up to a multiple of 16. Cannot overflow for a `Layout` of alignment 16:
/// its size rounded up to its alignment fits in `isize`.
#[inline]
fn round16(size: usize) -> usize {
    (size + (ROUNDED - 1)) & !(ROUNDED - 1)
}

#[inline]
fn aligned(p: *mut c_void, align: usize) -> bool {
    (p as usize) & (align - 1) == 0
}

// SAFETY: every pointer returned is null or a live mimalloc block of at least the requested
// size with at least the requested alignment (checked for the rounded case); every block is
// freed or resized by mimalloc, which finds its size class itself.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        unsafe {
            if l.align() <= WORD {
                return mi::mi_malloc(l.size()) as *mut u8;
            }
            if l.align() == ROUNDED {
                let p = mi::mi_malloc(round16(l.size()));
                if p.is_null() || aligned(p, ROUNDED) {
                    return p as *mut u8;
                }
                mi::mi_free(p);
            }
            mi::mi_malloc_aligned(l.size(), l.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        unsafe {
            if l.align() <= WORD {
                return mi::mi_zalloc(l.size()) as *mut u8;
            }
            mi::mi_zalloc_aligned(l.size(), l.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _l: Layout) {
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            if l.align() <= WORD {
                return mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8;
            }
            mi::mi_realloc_aligned(ptr as *mut c_void, new_size, l.align()) as *mut u8
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_byte_requests_round_up() {
        assert_eq!(round16(24), 32);
        assert_eq!(round16(32), 32);
        assert_eq!(round16(1), 16);
        assert_eq!(round16(0), 0);
    }

    /// Every alignment the program can ask for comes back aligned, usable and resizable.
    #[test]
    fn blocks_are_aligned_usable_and_resizable() {
        let mut blocks = Vec::new();
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1usize, 8, 24, 40, 56, 72, 200, 1000, 5000, 70_000] {
                for _ in 0..16 {
                    let l = Layout::from_size_align(size, align).unwrap();
                    let p = unsafe { Allocator.alloc(l) };
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    unsafe { std::ptr::write_bytes(p, 0xAB, size) };
                    let grown = size * 2 + 8;
                    let p2 = unsafe { Allocator.realloc(p, l, grown) };
                    assert_eq!(p2 as usize % align, 0, "realloc size {size} align {align}");
                    assert_eq!(unsafe { *p2 }, 0xAB);
                    blocks.push((p2, Layout::from_size_align(grown, align).unwrap()));
                    let z = unsafe { Allocator.alloc_zeroed(l) };
                    assert_eq!(z as usize % align, 0);
                    assert!(
                        unsafe { std::slice::from_raw_parts(z, size) }
                            .iter()
                            .all(|b| *b == 0)
                    );
                    blocks.push((z, l));
                }
            }
        }
        for (p, l) in blocks {
            unsafe { Allocator.dealloc(p, l) };
        }
    }
}
