package dev.jchat.bench;

/** The soak's command-line options, {@code --name value}; immutable once parsed. */
record SoakOptions(String url, int clients, double minutes, int deliveriesPerSecond, int resumers, long pid,
        int connectRate, long seed) {

    static final String USAGE = """
            usage: java -cp chat-bench.jar dev.jchat.bench.Soak --url ws://127.0.0.1:PORT/chat [options]
              --clients N                 members of the soak room, each with its own name (default 1000)
              --minutes M                 length of the soak, after everyone joined (default 10; may be 0.5)
              --deliveries-per-second D   chat frames the room delivers per second in total (default 1000,
                                          which with 1000 members is about one message a second)
              --resumers R                members that drop and resume with since, several times each (default 50)
              --pid P                     the server's process: CPU, RSS and heap after a full GC (jcmd)
              --connect-rate C            new connections per second at most while joining (default 200)
              --seed S                    seed of the soak's random choices (default: the clock; printed)
            """;

    static SoakOptions parse(String[] args) {
        String url = null;
        int clients = 1000;
        double minutes = 10;
        int deliveries = 1000;
        int resumers = 50;
        long pid = 0;
        int connectRate = 200;
        long seed = System.nanoTime();
        for (int i = 0; i < args.length; i += 2) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String v = args[i + 1];
            try {
                switch (flag) {
                    case "--url" -> url = v;
                    case "--clients" -> clients = Integer.parseInt(v);
                    case "--minutes" -> minutes = Double.parseDouble(v);
                    case "--deliveries-per-second" -> deliveries = Integer.parseInt(v);
                    case "--resumers" -> resumers = Integer.parseInt(v);
                    case "--pid" -> pid = Long.parseLong(v);
                    case "--connect-rate" -> connectRate = Integer.parseInt(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " needs a number, got " + v);
            }
        }
        // bounded load, loopback only: this tool must never be pointed at someone else's machine
        if (url == null || !(url.startsWith("ws://127.0.0.1:") || url.startsWith("ws://localhost:"))) {
            throw new IllegalArgumentException("--url must be on loopback (ws://127.0.0.1:PORT/chat)");
        }
        if (url.contains("?")) {
            throw new IllegalArgumentException("--url takes no query: the soak chooses room and names");
        }
        if (clients < 20 || clients > 10_000) {
            throw new IllegalArgumentException("--clients 20..10000");
        }
        if (!(minutes >= 0.1 && minutes <= 120)) {
            throw new IllegalArgumentException("--minutes 0.1..120");
        }
        if (deliveries < 1 || deliveries > 100_000 || connectRate < 1 || connectRate > 2000) {
            throw new IllegalArgumentException("--deliveries-per-second 1..100000, --connect-rate 1..2000");
        }
        if (resumers < 0 || resumers > clients / 2) {
            throw new IllegalArgumentException("--resumers 0..clients/2");
        }
        return new SoakOptions(url, clients, minutes, deliveries, resumers, pid, connectRate, seed);
    }

    /** Chat messages per second for the room to deliver {@link #deliveriesPerSecond} (each goes to every member). */
    double messagesPerSecond() {
        return (double) deliveriesPerSecond / clients;
    }

    /**
     * How many members send: a few, each well under the server's default rate limit (10 a second),
     * so that the limit stays on for the hostile client.
     */
    int senders() {
        return Math.min(clients / 10, Math.max(5, (int) Math.ceil(messagesPerSecond() / 2)));
    }
}
