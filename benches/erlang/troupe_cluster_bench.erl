%% The Erlang/OTP reference of benches/cluster.rs: the same two workloads between two
%% OTP nodes on loopback (`erl -name b@127.0.0.1 -setcookie C -run troupe_cluster_bench
%% echo` and `... a@127.0.0.1 ... -run troupe_cluster_bench ping b@127.0.0.1 N M`).
%% Prints `remote_ping_us X` and `remote_oneway_per_s Y`.
-module(troupe_cluster_bench).
-export([echo/0, ping/1]).

echo() ->
    register(echo, self()),
    io:format("ready~n"),
    echo_loop().

echo_loop() ->
    receive
        {ping, From, X} -> From ! {pong, X}, echo_loop();
        {count, From, N} -> take(N), From ! {done, N}, echo_loop();
        stop -> erlang:halt(0)
    end.

take(0) -> ok;
take(N) -> receive {m, _} -> take(N - 1) end.

ping([NodeS, NS, MS]) ->
    Node = list_to_atom(NodeS),
    N = list_to_integer(NS),
    M = list_to_integer(MS),
    wait_up(Node, 600),
    Echo = {echo, Node},
    trips(Echo, 1000),
    T0 = erlang:monotonic_time(nanosecond),
    trips(Echo, N),
    T1 = erlang:monotonic_time(nanosecond),
    Echo ! {count, self(), M},
    send_all(Echo, M),
    receive {done, M} -> ok end,
    T2 = erlang:monotonic_time(nanosecond),
    io:format("remote_ping_us ~.3f~n", [(T1 - T0) / N / 1000]),
    io:format("remote_oneway_per_s ~.1f~n", [M / ((T2 - T1) / 1.0e9)]),
    Echo ! stop,
    erlang:halt(0).

wait_up(_, 0) -> erlang:halt(2);
wait_up(Node, K) ->
    case net_adm:ping(Node) of
        pong ->
            case rpc:call(Node, erlang, whereis, [echo]) of
                P when is_pid(P) -> ok;
                _ -> timer:sleep(50), wait_up(Node, K - 1)
            end;
        pang -> timer:sleep(50), wait_up(Node, K - 1)
    end.

trips(_, 0) -> ok;
trips(Echo, K) ->
    Echo ! {ping, self(), K},
    receive {pong, K} -> trips(Echo, K - 1) end.

send_all(_, 0) -> ok;
send_all(Echo, K) -> Echo ! {m, K}, send_all(Echo, K - 1).
