//! Blocking calls of a Lua process without mlua's async machinery: the "request" half of
//! the process's own resume loop (`process.rs`, [`crate::process::LuaProcess`]).
//!
//! A blocking function (a channel receive, `time.sleep`, `funcs.call`, …) is a plain Rust
//! function wrapped by a few lines of Lua ([`WRAP`]). The Rust half either answers at once
//! (the synchronous fast path: the value is already there, so nothing is allocated and
//! nothing yields) or *parks* the operation — a future, stored in a per-worker slot by
//! [`park`] — and returns the [`block_mark`]. The Lua half then yields that mark. The
//! process's scheduler, which resumes its coroutines itself (`Thread::resume`), sees the
//! mark, takes the parked future out of the slot ([`take_parked`]) and polls it with the
//! process's waker; when it completes, the coroutine is resumed with its results, or with
//! the [`error_mark`] and the error, which the Lua half raises where the call was made.
//!
//! Inside a user coroutine (`coroutine.resume`/`wrap`), the mark is passed up level by
//! level by `slice::COROUTINE`, exactly as a preemption yield is, and the results travel
//! back down the same way.
//!
//! Compared with `create_async_function`, a channel operation or `sleep(0)` that does not
//! block costs one Rust call and no allocation (functions made with [`function`] box
//! their future first, then poll it once); one that blocks costs one boxed future, and no
//! userdata, no Lua-side poll loop and no `AsyncThread`. Because the scheduler, not a
//! Lua-side loop, polls the future, a wake-up cannot be lost between a poll and a yield
//! (the race of issue 12's note: a future that woke itself during its first poll inside a
//! user coroutine).
//!
//! The one window left is between the Rust half's return and the Lua half's `yield`: a
//! preemption can yield the coroutine there. The scheduler then finds an operation in the
//! slot after a yield that is not the mark, and keeps it with that coroutine until the
//! mark comes (`process::Coroutine::held`).
//!
//! Where nothing can yield (a metamethod, a `table.sort` comparator, a `string.gsub`
//! callback) the Lua half's `yield` raises Luau's "attempt to yield across a C-call
//! boundary"; the operation it parked is dropped by the scheduler (at the coroutine's next
//! block, or its end), so a failed block leaves nothing behind.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use mlua::{
    FromLuaMulti, Function, IntoLuaMulti, LightUserData, Lua, MultiValue, Value as LuaValue,
};

/// A parked blocking operation: resolves to the values its coroutine resumes with.
pub(crate) type Parked = Pin<Box<dyn Future<Output = mlua::Result<MultiValue>>>>;

thread_local! {
    /// The operation the running coroutine parked, until the scheduler takes it (one
    /// worker runs one coroutine at a time, so one slot per worker suffices).
    static PARKING: RefCell<Option<Parked>> = const { RefCell::new(None) };
}

/// Identity of [`block_mark`].
static BLOCK_TAG: u8 = 0;
/// Identity of [`error_mark`].
static ERROR_TAG: u8 = 0;

/// The light userdata a blocking function returns to its Lua half (and the Lua half
/// yields) when it parked an operation.
pub(crate) fn block_mark() -> LightUserData {
    LightUserData(&BLOCK_TAG as *const u8 as *mut std::ffi::c_void)
}

/// The light userdata the scheduler resumes a coroutine with, followed by the error, when
/// its parked operation failed: the Lua half raises the error.
pub(crate) fn error_mark() -> LightUserData {
    LightUserData(&ERROR_TAG as *const u8 as *mut std::ffi::c_void)
}

/// Whether `first`, the first value a coroutine yielded, is the [`block_mark`] (what a
/// coroutine that blocked yields; only the runtime's Lua halves hold the mark).
pub(crate) fn is_block(first: &LuaValue) -> bool {
    matches!(first, LuaValue::LightUserData(l) if *l == block_mark())
}

/// Park `fut` for the running coroutine and return what the Lua half yields on (the
/// blocking function returns it as its first value; others are ignored). A slot still
/// holding an operation whose yield failed (see the module doc) is overwritten.
pub(crate) fn park(fut: impl Future<Output = mlua::Result<MultiValue>> + 'static) -> LuaValue {
    PARKING.with(|p| *p.borrow_mut() = Some(Box::pin(fut)));
    LuaValue::LightUserData(block_mark())
}

/// [`park`], as the one value of a list.
pub(crate) fn park_multi(
    fut: impl Future<Output = mlua::Result<MultiValue>> + 'static,
) -> MultiValue {
    MultiValue::from_iter([park(fut)])
}

/// Take the operation the coroutine that just yielded [`block_mark`] parked.
pub(crate) fn take_parked() -> Option<Parked> {
    PARKING.with(|p| p.borrow_mut().take())
}

/// The values a coroutine whose parked operation ended is resumed with: its results, or
/// [`error_mark`] and the error.
pub(crate) fn resume_values(r: mlua::Result<MultiValue>) -> MultiValue {
    match r {
        Ok(v) => v,
        Err(e) => MultiValue::from_iter([
            LuaValue::LightUserData(error_mark()),
            LuaValue::Error(Box::new(e)),
        ]),
    }
}

/// The Lua half. Called once per VM with the raw `coroutine.yield`, `error`, `select` and
/// the two marks;
/// returns `wrap(raw) -> function`.
pub(crate) const WRAP: &str = r##"
local yield, error, select, BLOCK, ERR = ...
local function resumed(...)
  if (...) == ERR then error((select(2, ...)), 0) end
  return ...
end
local function after(...)
  if (...) == BLOCK then return resumed(yield(BLOCK)) end
  return ...
end
return function(raw)
  return function(...) return after(raw(...)) end
end
"##;

/// The per-VM `wrap` of [`WRAP`] (kept in the VM's app data).
pub(crate) struct Wrapper(pub(crate) Function);

/// `raw` (a function that returns [`block_mark`] when it parked) as the Lua function user
/// code calls.
///
/// Errors: the VM has no [`Wrapper`] (built by `vm.rs` before any module); Lua memory
/// errors.
pub(crate) fn wrap(lua: &Lua, raw: Function) -> mlua::Result<Function> {
    let w = lua
        .app_data_ref::<Wrapper>()
        .map(|w| w.0.clone())
        .ok_or_else(|| mlua::Error::runtime("blocking calls are not set up on this VM"))?;
    w.call(raw)
}

/// Install the [`Wrapper`] on `lua` (once per VM, before the modules are built).
///
/// Errors: Lua memory errors.
pub(crate) fn install(lua: &Lua, yield_fn: Function) -> mlua::Result<()> {
    let g = lua.globals();
    let wrap: Function = lua.load(WRAP).set_name("=troupe_block").call((
        yield_fn,
        g.get::<Function>("error")?,
        g.get::<Function>("select")?,
        block_mark(),
        error_mark(),
    ))?;
    lua.set_app_data(Wrapper(wrap));
    Ok(())
}

/// Poll `fut` once: its values when it is done, else park it (see [`park`]). The poll uses
/// a no-op waker; the scheduler polls a parked future again with the process's waker
/// before it waits, as the `Future` contract allows (only the last poll's waker counts).
pub(crate) fn start(
    fut: impl Future<Output = mlua::Result<MultiValue>> + 'static,
) -> mlua::Result<MultiValue> {
    let mut fut = Box::pin(fut);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(r) => r,
        Poll::Pending => {
            PARKING.with(|p| *p.borrow_mut() = Some(fut));
            Ok(MultiValue::from_iter([LuaValue::LightUserData(
                block_mark(),
            )]))
        }
    }
}

/// A blocking Lua function made of `f`, with the signature of mlua's
/// `create_async_function`: `f(lua, args)` returns the future of the call.
///
/// Errors: Lua memory errors.
pub(crate) fn function<A, R, F, Fut>(lua: &Lua, f: F) -> mlua::Result<Function>
where
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(Lua, A) -> Fut + 'static,
    Fut: Future<Output = mlua::Result<R>> + 'static,
{
    let raw = lua.create_function(move |lua, args: A| {
        let fut = f(lua.clone(), args);
        let lua = lua.clone();
        start(async move { fut.await?.into_lua_multi(&lua) })
    })?;
    wrap(lua, raw)
}
