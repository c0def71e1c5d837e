%% Erlang/OTP reference for `cargo bench --bench lua` (SPEC §9): the same workloads as
%% benches/apps/lua, printed as `name value` lines that the Rust harness parses.
-module(troupe_bench).
-export([main/1]).

main([NSpawn, NIdle, NPing, NRing, RRing, NSleep, MsSleep, NSleep0]) ->
    [A, B, C, D, E, F, G, H] = [list_to_integer(X) || X <- [NSpawn, NIdle, NPing, NRing, RRing, NSleep, MsSleep, NSleep0]],
    {T1, _} = timer:tc(fun() -> spawn_exit(A) end),
    io:format("spawn_exit_us ~.4f~n", [T1 / A]),
    io:format("idle_bytes ~.1f~n", [idle_mem(B)]),
    {T3, _} = timer:tc(fun() -> ping_pong(C) end),
    io:format("ping_pong_us ~.4f~n", [T3 / C]),
    {T4, _} = timer:tc(fun() -> ring(D, E) end),
    io:format("ring_hops_per_s ~.1f~n", [D * E / (T4 / 1.0e6)]),
    {T5, _} = timer:tc(fun() -> sleepers(F, G) end),
    io:format("sleepers_ms ~.2f~n", [T5 / 1000]),
    {T6, _} = timer:tc(fun() -> sleep0(H) end),
    io:format("sleep0_us ~.4f~n", [T6 / H]),
    halt().

spawn_exit(0) -> ok;
spawn_exit(N) ->
    K = min(1000, N),
    [spawn_monitor(fun() -> 1 end) || _ <- lists:seq(1, K)],
    [receive {'DOWN', _, process, _, _} -> ok end || _ <- lists:seq(1, K)],
    spawn_exit(N - K).

idle_mem(N) ->
    erlang:garbage_collect(),
    Before = erlang:memory(total),
    Pids = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, N)],
    timer:sleep(200),
    After = erlang:memory(total),
    [P ! stop || P <- Pids],
    (After - Before) / N.

pong() ->
    receive
        {From, I} -> From ! I, pong();
        stop -> ok
    end.

ping_pong(N) ->
    P = spawn(fun pong/0),
    [begin P ! {self(), I}, receive I -> ok end end || I <- lists:seq(1, N)],
    P ! stop.

ring_node(Next) ->
    receive
        V when V < 0 -> Next ! V;
        V -> Next ! V - 1, ring_node(Next)
    end.

ring(N, R) ->
    Me = self(),
    First = lists:foldl(fun(_, Next) -> spawn(fun() -> ring_node(Next) end) end, Me, lists:seq(1, N - 1)),
    First ! N * R - 1,
    ring_loop(First),
    First ! -1,
    receive _ -> ok end.

ring_loop(First) ->
    receive
        V when V =< 0 -> ok;
        V -> First ! V - 1, ring_loop(First)
    end.

sleepers(N, Ms) ->
    [spawn_monitor(fun() -> timer:sleep(Ms) end) || _ <- lists:seq(1, N)],
    [receive {'DOWN', _, process, _, _} -> ok end || _ <- lists:seq(1, N)],
    ok.

sleep0(0) -> ok;
sleep0(N) -> erlang:yield(), sleep0(N - 1).
