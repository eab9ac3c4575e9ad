package dev.jchat.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The load generator's command-line options, {@code --name value}; immutable once parsed.
 *
 * @param urls the servers, all serving one chat (one Redis): client i connects to urls[i % n]
 * @param pids their processes, in the same order, or none
 * @param reactions protocol version 3's room log: the senders react to one message (each its own
 *     emoji on and off in turn) instead of writing, and what is measured is the reactions' way
 * @param roomsPerConnection 0: connect as before (no {@code v}, one room); N: protocol version 3,
 *     the room {@code bench} from the query and N-1 more ({@code bench-2} .. {@code bench-N}) by
 *     {@code subscribe}, every client in the same N rooms
 */
record Options(List<String> urls, int clients, int senders, int rate, int payload, int warmupSeconds,
        int measureSeconds, int lateSeconds, int connectRate, int names, int roomsPerConnection, List<Long> pids,
        long redisPid, long sloMillis, boolean gcSamples, boolean timeline, boolean reactions, String label, String run,
        String csv) {

    static final String USAGE = """
            usage: java -jar chat-bench.jar --url ws://127.0.0.1:PORT/chat[,ws://127.0.0.1:PORT2/chat...] [options]
              --url U[,U2...]    the server, or several serving one chat (on one Redis): client i
                                 connects to the (i mod n)-th
              --clients N        connections to open (1..20000, default 100)
              --senders K        how many of them send (default 10)
              --rate R           messages per second per sender (default 10; 0 = idle connections)
              --payload B        approximate msg size in bytes (default 100)
              --warmup S         seconds of load before measuring (default 5)
              --measure S        measured seconds (default 15)
              --late S           seconds after the senders stop in which late deliveries still count
                                 (default 3; beyond 3 the wait ends once every delivery arrived)
              --connect-rate C   new connections per second at most (default 500)
              --names U          distinct user names among the clients (default: one per client;
                                 1 = all share one name, so the server announces one join, not N)
              --rooms-per-connection N
                                 protocol version 3 (v=3): each connection opens in room bench and
                                 subscribes to N-1 more (bench-2 .. bench-N), all clients in the
                                 same N rooms; the load waits until every room's welcome came
                                 (default 0: no v=3, one room, as before). Each subscribe counts
                                 against the server's rate limit (default burst 30)
              --reactions        protocol version 3 (v=3): one message is written first, then each sender
                                 sets and clears its reaction to it in turn (--rate per second), and the
                                 reaction frames are what is measured (needs --names at least --senders,
                                 so that each sender's reactions are its name's own)
              --pid P[,P2...]    server process to sample in /proc (CPU, RSS); with several --url,
                                 one per url, in the same order (CPU per delivery is then per server)
              --redis-pid P      the Redis the servers share: its CPU over the measured window
              --slo-ms L         p99 above this marks the run saturated (default 100)
              --gc-samples       when the server is a JVM, take its RSS after a full GC (jcmd GC.run), and
                                 its heap in use after one with the clients connected, before the load
                                 and after it (heap_retained_kb: what the load left behind)
              --timeline         also print, for every second of sending (warm-up included), how
                                 many deliveries of the messages sent in it came and their p50/p99/max
              --label NAME       server label in the report (default run)
              --run NAME         run label in the report, e.g. sweep or saturation (default sweep)
              --csv FILE         append one CSV row (header first if the file is new)
            """;

    static Options parse(String[] args) {
        String url = null;
        String pid = null;
        int clients = 100;
        int senders = 10;
        int rate = 10;
        int payload = 100;
        int warmup = 5;
        int measure = 15;
        int late = 3;
        int connectRate = 500;
        int names = 0;
        int roomsPerConnection = 0;
        long redisPid = 0;
        long slo = 100;
        boolean gcSamples = false;
        boolean timeline = false;
        boolean reactions = false;
        String label = "run";
        String run = "sweep";
        String csv = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--gc-samples")) {
                gcSamples = true;
                continue;
            }
            if (flag.equals("--timeline")) {
                timeline = true;
                continue;
            }
            if (flag.equals("--reactions")) {
                reactions = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String v = args[++i];
            switch (flag) {
                case "--url" -> url = v;
                case "--clients" -> clients = Integer.parseInt(v);
                case "--senders" -> senders = Integer.parseInt(v);
                case "--rate" -> rate = Integer.parseInt(v);
                case "--payload" -> payload = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--measure" -> measure = Integer.parseInt(v);
                case "--late" -> late = Integer.parseInt(v);
                case "--connect-rate" -> connectRate = Integer.parseInt(v);
                case "--names" -> names = Integer.parseInt(v);
                case "--rooms-per-connection" -> roomsPerConnection = Integer.parseInt(v);
                case "--pid" -> pid = v;
                case "--redis-pid" -> redisPid = Long.parseLong(v);
                case "--slo-ms" -> slo = Long.parseLong(v);
                case "--label" -> label = v;
                case "--run" -> run = v;
                case "--csv" -> csv = v;
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("--url is required");
        }
        List<String> urls = List.of(url.split(","));
        for (String u : urls) {
            // bounded load, loopback only: this tool must never be pointed at someone else's machine
            if (!(u.startsWith("ws://127.0.0.1:") || u.startsWith("ws://localhost:"))) {
                throw new IllegalArgumentException("--url must be on loopback (ws://127.0.0.1:PORT/...)");
            }
        }
        List<Long> pids = new ArrayList<>();
        if (pid != null) {
            for (String p : pid.split(",")) {
                pids.add(Long.parseLong(p));
            }
            if (pids.size() != urls.size()) {
                throw new IllegalArgumentException("--pid needs one process per --url, in the same order");
            }
        }
        if (clients < 1 || clients > 20_000 || senders < 0 || senders > clients) {
            throw new IllegalArgumentException("--clients 1..20000, --senders 0..clients");
        }
        if (rate < 0 || rate > 10_000 || payload < 0 || payload > 60_000 || connectRate < 1) {
            throw new IllegalArgumentException("--rate 0..10000, --payload 0..60000, --connect-rate >= 1");
        }
        if (measure < 1 || measure > 300 || warmup < 0 || warmup > 120 || late < 3 || late > 120) {
            throw new IllegalArgumentException("--measure 1..300 s, --warmup 0..120 s, --late 3..120 s");
        }
        if (roomsPerConnection < 0 || roomsPerConnection > 100) {
            // 100: the server's default CHAT_MAX_ROOMS_PER_CONNECTION
            throw new IllegalArgumentException("--rooms-per-connection 0..100");
        }
        names = names <= 0 ? clients : Math.min(names, clients);
        if (reactions && names < senders) {
            throw new IllegalArgumentException("--reactions needs --names at least --senders: a sender reacts as its own name");
        }
        if (urls.size() > clients) {
            throw new IllegalArgumentException("--clients must be at least the number of --url");
        }
        return new Options(urls, clients, senders, rate, payload, warmup, measure, late, connectRate, names, roomsPerConnection,
                List.copyOf(pids), redisPid, slo, gcSamples, timeline, reactions, label, run, csv);
    }
}
