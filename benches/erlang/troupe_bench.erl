%% Erlang/OTP reference for `cargo bench --bench lua` (SPEC §9): the same workloads as
%% benches/apps/lua, printed as `name value` lines that the Rust harness parses.
%% `main` runs the single-scheduler-independent figures; `pairs` the scaling figure, run
%% by the harness once under `erl +S 1` and once under `erl +S 2`.
-module(troupe_bench).
-behaviour(supervisor).
-export([main/1, pairs/1, init/1, start_child/1, restart/1]).

main([NSpawn, NIdle, NPing, NRing, RRing, NSleep, MsSleep, NSleep0, NRestart]) ->
    [A, B, C, D, E, F, G, H, I] = [list_to_integer(X) || X <- [NSpawn, NIdle, NPing, NRing, RRing, NSleep, MsSleep, NSleep0, NRestart]],
    %% Troupe's bench runs without a log subscriber; silence OTP's logger likewise.
    logger:set_primary_config(level, none),
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
    {T7, _} = timer:tc(fun() -> restart(I) end),
    io:format("restart_us ~.4f~n", [T7 / I]),
    halt().

%% N independent ping-pong pairs, M round trips each, all at once: round trips per second.
pairs([NS, MS]) ->
    [N, M] = [list_to_integer(X) || X <- [NS, MS]],
    logger:set_primary_config(level, none),
    Me = self(),
    {T, _} = timer:tc(fun() ->
        [spawn(fun() -> ping_pong(M), Me ! pair_done end) || _ <- lists:seq(1, N)],
        [receive pair_done -> ok end || _ <- lists:seq(1, N)]
    end),
    io:format("pairs_rt_per_s ~.1f~n", [N * M / (T / 1.0e6)]),
    halt().

spawn_exit(0) -> ok;
spawn_exit(N) ->
    K = min(1000, N),
    [spawn_monitor(fun() -> 1 end) || _ <- lists:seq(1, K)],
    [receive {'DOWN', _, process, _, _} -> ok end || _ <- lists:seq(1, K)],
    spawn_exit(N - K).

%% As benches/apps/lua `idle_spawn`: each process tells the driver it is up, then blocks in
%% receive; spawned in batches of 10,000, each batch waited for.
idle_mem(N) ->
    erlang:garbage_collect(),
    Before = erlang:memory(total),
    Pids = idle_spawn(N, self(), []),
    After = erlang:memory(total),
    [P ! stop || P <- Pids],
    (After - Before) / N.

idle_spawn(0, _, Acc) -> Acc;
idle_spawn(N, Me, Acc) ->
    K = min(10000, N),
    Batch = [spawn(fun() -> Me ! up, receive stop -> ok end end) || _ <- lists:seq(1, K)],
    [receive up -> ok end || _ <- Batch],
    idle_spawn(N - K, Me, Batch ++ Acc).

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

%% crash -> replacement child running: a one_for_one supervisor with one permanent child
%% that reports `up` when it runs and exits abnormally when told.
restart(N) ->
    process_flag(trap_exit, true),
    {ok, Sup} = supervisor:start_link(?MODULE, {sup, self()}),
    Child = receive {up, P} -> P end,
    restart_loop(N, Child),
    exit(Sup, shutdown),
    receive {'EXIT', Sup, _} -> ok end.

restart_loop(0, _) -> ok;
restart_loop(N, Child) ->
    Child ! crash,
    receive {up, P} -> restart_loop(N - 1, P) end.

init({sup, Driver}) ->
    {ok, {#{strategy => one_for_one, intensity => 1000000000, period => 1},
          [#{id => worker, start => {?MODULE, start_child, [Driver]}, restart => permanent}]}}.

start_child(Driver) ->
    {ok, spawn_link(fun() -> Driver ! {up, self()}, receive crash -> exit(crash) end end)}.
