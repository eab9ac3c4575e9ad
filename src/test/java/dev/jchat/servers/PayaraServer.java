package dev.jchat.servers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Payara Micro 6 from Maven Central, deploying {@code target/chat.war} (or a test's WAR) at {@code /chat}. */
public final class PayaraServer {

    static final Path JAR = Path.of(System.getProperty("chat.payara.jar", "target/servers/payara-micro.jar"));

    private PayaraServer() {
    }

    /**
     * Starts Payara Micro on a free loopback port; {@code properties} reach the application as
     * system properties ({@code -Dchat.history.size=20}), {@code env} as environment variables.
     */
    public static ServerProcess start(Map<String, String> properties, Map<String, String> env)
            throws IOException, InterruptedException {
        return start(properties, env, ServerProcess.WAR, List.of(), null);
    }

    /**
     * As {@link #start(Map, Map)}, deploying {@code war}, running {@code postBoot} (asadmin
     * commands, such as {@code create-file-user}) once the server is up and before it deploys, and
     * asking for the page with {@code authorization} (null for none) while waiting for it.
     */
    public static ServerProcess start(Map<String, String> properties, Map<String, String> env, Path war,
                                      List<String> postBoot, String authorization)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("no Payara Micro at " + JAR + ": `./mvnw verify` copies it before the tests");
        }
        int port = ServerProcess.freePort();
        Path dir = ServerProcess.workDir("payara", port);
        Path preboot = dir.resolve("preboot.txt");
        // Payara listens on every interface unless told otherwise.
        Files.writeString(preboot, "set configs.config.server-config.network-config.network-listeners"
                + ".network-listener.http-listener.address=127.0.0.1\n");
        List<String> command = new ArrayList<>();
        List<String> bootFiles = new ArrayList<>(List.of("--prebootcommandfile", preboot.toString()));
        if (!postBoot.isEmpty()) {
            Path postboot = dir.resolve("postboot.txt");
            Files.write(postboot, postBoot);
            bootFiles.addAll(List.of("--postbootcommandfile", postboot.toString()));
        }
        command.add(ServerProcess.JAVA);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString(),
                // no Hazelcast: no cluster port, no discovery or phone-home traffic off this machine
                "--nohazelcast", "--disablephonehome",
                "--rootdir", dir.resolve("root").toString(),
                "--port", String.valueOf(port)));
        command.addAll(bootFiles);
        command.addAll(List.of("--deploy", war.toAbsolutePath().toString(), "--contextroot", "chat"));
        return ServerProcess.start("Payara Micro", command, dir, env, port, Duration.ofSeconds(180), war, "/chat",
                authorization);
    }
}
