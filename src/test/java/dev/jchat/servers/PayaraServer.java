package dev.jchat.servers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Payara Micro 6 from Maven Central, deploying {@code target/chat.war} unchanged at {@code /chat}. */
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
        command.add(ServerProcess.JAVA);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString(),
                // no Hazelcast: no cluster port, no discovery or phone-home traffic off this machine
                "--nohazelcast", "--disablephonehome",
                "--rootdir", dir.resolve("root").toString(),
                "--prebootcommandfile", preboot.toString(),
                "--port", String.valueOf(port),
                "--deploy", ServerProcess.WAR.toAbsolutePath().toString(),
                "--contextroot", "chat"));
        return ServerProcess.start("Payara Micro", command, dir, env, port, Duration.ofSeconds(180));
    }
}
