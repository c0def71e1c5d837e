//! Process bodies for wasm entries: build the store (WASI context, limits, epoch
//! preemption) or take a warm one from the entry's pool (SPEC §6.2, see [`crate::pool`]),
//! instantiate, call the command or the export, and turn the outcome into an exit result.
//! Limits (SPEC §3.6) end the process with an error whose reason names them.

use std::future::{Future, poll_fn};
use std::sync::Arc;

use tokio::sync::OwnedSemaphorePermit;
use troupe_kernel::{
    ErrorKind, ExitResult, ProcessBody, ProcessContext, ProcessError, ProcessRef, Value,
};
use wasmtime::component::Val;
use wasmtime::{Engine, Store, Trap, UpdateDeadline};
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use crate::engine::SLICE_TICKS;
use crate::pool::{Instance, Warm};
use crate::prepare::{Code, Export, Prepared};
use crate::state::{MemoryLimit, State};
use crate::stdio::{Label, LastLine, LogOutput, Stream};
use crate::values::{lift, lower};
use troupe_kernel::copy::Budget;

/// Build the body of a wasm process or function call.
pub fn body(
    engine: Engine,
    fuel: bool,
    prepared: Arc<Prepared>,
    ctx: ProcessContext,
    terminal: bool,
) -> ProcessBody {
    Box::pin(async move {
        // `pool.max_size` (SPEC §6.2): wait for a slot before taking or creating an
        // instance; the permit lives until the call ends. The wait suspends only this
        // process, a kill still ends it, and it is not part of `max_execution_ms`.
        let _permit = slot(&prepared, &ctx.handle).await;
        let max = prepared.spec.limits.max_execution;
        let run = run(engine, fuel, prepared, ctx, terminal);
        match max {
            None => run.await,
            Some(d) => match tokio::time::timeout(d, run).await {
                Ok(r) => r,
                Err(_) => Err(ProcessError::new(
                    ErrorKind::Timeout,
                    format!(
                        "max_execution_ms exceeded: ran longer than {} ms",
                        d.as_millis()
                    ),
                )),
            },
        }
    })
}

/// A permit of the entry's `max_size` semaphore (`None` without a limit). The process's
/// waker is registered while it waits, so a kill wakes it.
async fn slot(p: &Prepared, handle: &ProcessRef) -> Option<OwnedSemaphorePermit> {
    let mut wait = std::pin::pin!(p.pool.permit());
    poll_fn(|cx| {
        handle.register_waker(cx.waker());
        wait.as_mut().poll(cx)
    })
    .await
}

/// `INVALID`: the call passed `got` arguments to `method`, which takes `want`.
fn arity(p: &Prepared, method: &str, want: usize, got: usize) -> ProcessError {
    ProcessError::new(
        ErrorKind::Invalid,
        format!(
            "{}: `{method}` takes {want} argument(s), got {got}",
            p.entry.id
        ),
    )
}

/// `INVALID`: argument `i` (0-based) does not fit its parameter.
fn bad_argument(p: &Prepared, i: usize, why: impl std::fmt::Display) -> ProcessError {
    ProcessError::new(
        ErrorKind::Invalid,
        format!("{}: invalid argument {}: {why}", p.entry.id, i + 1),
    )
}

fn internal(message: String) -> ProcessError {
    ProcessError::new(ErrorKind::Internal, message)
}

/// A WASI context for `p` (args, env, mounts, stdio to the log or the terminal as `label`
/// says), from the entry's [`crate::prepare::WasiTemplate`].
fn wasi(p: &Prepared, label: &Label, last: &LastLine) -> Result<WasiCtxBuilder, ProcessError> {
    let t = &p.wasi;
    let mut b = WasiCtxBuilder::new();
    b.stdout(LogOutput::new(
        t.entry.clone(),
        label.clone(),
        Stream::Stdout,
        last.clone(),
    ));
    b.stderr(LogOutput::new(
        t.entry.clone(),
        label.clone(),
        Stream::Stderr,
        last.clone(),
    ));
    b.args(&t.argv);
    b.envs(&t.env);
    for m in &p.mounts {
        let perms = if m.read_only {
            FsPerms::ReadOnly
        } else {
            FsPerms::ReadWrite
        };
        b.preopened_dir(&m.host, &m.guest, perms).map_err(|e| {
            internal(format!(
                "cannot mount {} at {}: {e:#}",
                m.host.display(),
                m.guest
            ))
        })?;
    }
    Ok(b)
}

/// A fresh store for the process of `ctx`.
pub(crate) fn store(
    engine: &Engine,
    fuel: bool,
    p: &Prepared,
    ctx: ProcessContext,
    terminal: bool,
) -> Result<Store<State>, ProcessError> {
    let label = Label::new(ctx.handle.pid.as_str().into(), terminal);
    let last = LastLine::default();
    let p1 = match p.code {
        Code::Core { wasi1: true, .. } => Some(wasi(p, &label, &last)?.build_p1()),
        _ => None,
    };
    let wasi_ctx = wasi(p, &label, &last)?.build();
    let state = State {
        node: Some(ctx.node),
        handle: ctx.handle,
        entry: ctx.entry,
        args: ctx.args,
        wasi: wasi_ctx,
        last_stderr: last,
        table: wasmtime::component::ResourceTable::new(),
        p1,
        limits: MemoryLimit {
            max: p.spec.limits.max_memory,
            exceeded: false,
        },
        label,
    };
    let mut store = Store::new(engine, state);
    store.limiter(|s| &mut s.limits);
    // Preemption (SPEC §3.6): every slice, yield to the worker's other processes. The
    // kernel is told this Pending is a yield, not a wait.
    store.epoch_deadline_callback(|cx| {
        cx.data().handle.mark_yielded();
        Ok(UpdateDeadline::Yield(SLICE_TICKS))
    });
    arm(&mut store, fuel, p);
    Ok(store)
}

/// Give a store a full slice and, with fuel metering on, the entry's full fuel: at
/// creation, and again each time a pooled store starts a call.
fn arm(store: &mut Store<State>, fuel: bool, p: &Prepared) {
    store.set_epoch_deadline(SLICE_TICKS);
    if fuel {
        let _ = store.set_fuel(p.spec.limits.fuel.unwrap_or(u64::MAX));
    }
}

/// Instantiate the entry in `store`.
pub(crate) async fn instantiate(
    p: &Prepared,
    store: &mut Store<State>,
) -> wasmtime::Result<Instance> {
    match &p.code {
        Code::Component { pre, .. } => pre.instantiate_async(store).await.map(Instance::Component),
        Code::Core { pre, .. } => pre.instantiate_async(store).await.map(Instance::Core),
    }
}

/// Turn a wasmtime error into an exit reason, naming the limit when one was hit.
fn failure(store: &Store<State>, p: &Prepared, e: wasmtime::Error) -> ProcessError {
    if store.data().limits.exceeded {
        return internal(format!(
            "max_memory exceeded: limit {} bytes",
            p.spec.limits.max_memory.unwrap_or_default()
        ));
    }
    if let Some(Trap::OutOfFuel) = e.downcast_ref::<Trap>() {
        return internal(format!(
            "fuel exhausted: limit {}",
            p.spec.limits.fuel.unwrap_or_default()
        ));
    }
    if let Some(I32Exit(code)) = e.downcast_ref::<I32Exit>() {
        return exit_code(*code)
            .err()
            .unwrap_or_else(|| internal("exit".into()));
    }
    let what = match e.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => trap_text(&e),
    };
    match store.data().last_stderr.lock().take() {
        Some(line) => internal(format!(
            "{} failed: {what} (last stderr line: {line})",
            p.entry.id
        )),
        None => internal(format!("{} failed: {what}", p.entry.id)),
    }
}

/// The trap message with its cause chain, without the backtrace.
fn trap_text(e: &wasmtime::Error) -> String {
    let mut parts: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    parts.dedup();
    parts
        .into_iter()
        .map(|p| p.lines().next().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join(": ")
}

/// A command's exit status as a result: 0 is a normal exit with result 0.
fn exit_code(code: i32) -> ExitResult {
    if code == 0 {
        Ok(Value::Int(0))
    } else {
        Err(ProcessError::new(
            ErrorKind::Internal,
            format!("exited with code {code}"),
        ))
    }
}

async fn run(
    engine: Engine,
    fuel: bool,
    p: Arc<Prepared>,
    ctx: ProcessContext,
    terminal: bool,
) -> ExitResult {
    let Warm {
        mut store,
        instance,
    } = match p.pool.take() {
        Some(mut warm) => {
            warm.store.data_mut().begin_call(ctx, terminal);
            arm(&mut warm.store, fuel, &p);
            warm
        }
        None => {
            let mut store = store(&engine, fuel, &p, ctx, terminal)?;
            match instantiate(&p, &mut store).await {
                Ok(instance) => Warm { store, instance },
                Err(e) => return Err(failure(&store, &p, e)),
            }
        }
    };
    let (result, intact) = call(&p, &mut store, instance).await;
    if intact {
        p.pool.give_back(Warm { store, instance });
    }
    result
}

/// Call the command or the export on `instance`. Also says whether the instance may serve
/// another call: false once the guest trapped, hit a limit, exited or a host call failed
/// (anything wasmtime reports as an error); true when the guest returned normally or was
/// never entered (arguments that do not fit).
async fn call(p: &Prepared, store: &mut Store<State>, instance: Instance) -> (ExitResult, bool) {
    match (&p.code, instance) {
        (Code::Component { export, .. }, Instance::Component(instance)) => match export {
            Export::Command(idx) => {
                let run = match instance.get_typed_func::<(), (Result<(), ()>,)>(&mut *store, idx) {
                    Ok(run) => run,
                    Err(e) => {
                        return (
                            Err(internal(format!(
                                "wasi:cli/run has an unexpected type: {e:#}"
                            ))),
                            true,
                        );
                    }
                };
                match run.call_async(&mut *store, ()).await {
                    Ok((Ok(()),)) => (exit_code(0), true),
                    Ok((Err(()),)) => (exit_code(1), true),
                    Err(e) => match e.downcast_ref::<I32Exit>() {
                        Some(I32Exit(code)) => (exit_code(*code), false),
                        None => (Err(failure(store, p, e)), false),
                    },
                }
            }
            Export::Function(idx, method) => {
                let Some(func) = instance.get_func(&mut *store, idx) else {
                    return (
                        Err(internal(format!("export `{method}` is not a function"))),
                        true,
                    );
                };
                let ty = func.ty(&*store);
                let args = &store.data().args;
                let params: Vec<_> = ty.params().map(|(n, t)| (n.to_string(), t)).collect();
                if args.len() > params.len() {
                    return (Err(arity(p, method, params.len(), args.len())), true);
                }
                let mut vals = Vec::with_capacity(params.len());
                for (i, (name, t)) in params.iter().enumerate() {
                    let v = args.get(i).unwrap_or(&Value::Nil);
                    match lower(name, t, v) {
                        Ok(v) => vals.push(v),
                        Err(e) => return (Err(bad_argument(p, i, e)), true),
                    }
                }
                let mut results = vec![Val::Bool(false); ty.results().len()];
                if let Err(e) = func.call_async(&mut *store, &vals, &mut results).await {
                    return (Err(failure(store, p, e)), false);
                }
                // The results are a copy out of the guest: bounded like a payload.
                let mut budget = Budget::new(store.data().max_message());
                let value = match results.as_slice() {
                    [] => Ok(Value::Nil),
                    [one] => lift(one, &mut budget),
                    many => many
                        .iter()
                        .map(|v| lift(v, &mut budget))
                        .collect::<Result<Vec<_>, _>>()
                        .map(Value::Array),
                };
                (value.map_err(ProcessError::from), true)
            }
        },
        (Code::Core { method, .. }, Instance::Core(instance)) => {
            let Some(func) = instance.get_func(&mut *store, method) else {
                return (
                    Err(internal(format!("export `{method}` is not a function"))),
                    true,
                );
            };
            let ty = func.ty(&*store);
            let args = &store.data().args;
            let params: Vec<_> = ty.params().collect();
            if args.len() != params.len() {
                return (Err(arity(p, method, params.len(), args.len())), true);
            }
            let mut vals = Vec::with_capacity(params.len());
            for (i, (t, v)) in params.iter().zip(args).enumerate() {
                match core_val(t, v) {
                    Some(v) => vals.push(v),
                    None => {
                        let e = format!("expected {t}, got {}", v.display());
                        return (Err(bad_argument(p, i, e)), true);
                    }
                }
            }
            let mut results = vec![wasmtime::Val::I32(0); ty.results().len()];
            match func.call_async(&mut *store, &vals, &mut results).await {
                Ok(()) if method == "_start" => (exit_code(0), true),
                Ok(()) => {
                    let value = match results.as_slice() {
                        [] => Value::Nil,
                        [one] => core_lift(one),
                        many => Value::Array(many.iter().map(core_lift).collect()),
                    };
                    (Ok(value), true)
                }
                Err(e) => match e.downcast_ref::<I32Exit>() {
                    Some(I32Exit(code)) => (exit_code(*code), false),
                    None => (Err(failure(store, p, e)), false),
                },
            }
        }
        _ => (
            Err(internal(format!(
                "{}: the instance does not match the entry's code (a bug)",
                p.entry.id
            ))),
            false,
        ),
    }
}

fn core_val(t: &wasmtime::ValType, v: &Value) -> Option<wasmtime::Val> {
    use wasmtime::{Val as V, ValType as T};
    let (i, f) = match v {
        Value::Int(i) => (Some(*i), *i as f64),
        Value::Float(f) => ((f.fract() == 0.0).then_some(*f as i64), *f),
        Value::Bool(b) => (Some(*b as i64), *b as i64 as f64),
        _ => return None,
    };
    Some(match t {
        T::I32 => {
            let i = i?;
            V::I32(
                i32::try_from(i)
                    .or_else(|_| u32::try_from(i).map(|u| u as i32))
                    .ok()?,
            )
        }
        T::I64 => V::I64(i?),
        T::F32 => V::F32((f as f32).to_bits()),
        T::F64 => V::F64(f.to_bits()),
        _ => return None,
    })
}

fn core_lift(v: &wasmtime::Val) -> Value {
    match v {
        wasmtime::Val::I32(i) => Value::Int(*i as i64),
        wasmtime::Val::I64(i) => Value::Int(*i),
        wasmtime::Val::F32(f) => Value::Float(f32::from_bits(*f) as f64),
        wasmtime::Val::F64(f) => Value::Float(f64::from_bits(*f)),
        _ => Value::Nil,
    }
}
