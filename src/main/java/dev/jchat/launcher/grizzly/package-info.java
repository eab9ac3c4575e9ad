/**
 * The fence: everything the standalone launcher reaches into below the WebSocket API, in Tyrus'
 * Grizzly container and in Grizzly's filter chain. Nothing outside this package (and the
 * name-only {@link dev.jchat.tyrus.FieldPath}) knows how Tyrus or Grizzly work inside; a Tyrus or
 * Grizzly upgrade starts here.
 *
 * <p><b>Written against</b> Tyrus 2.1.6 ({@code tyrus.version} in pom.xml: tyrus-server,
 * tyrus-container-grizzly-server) on the Grizzly it brings, 4.0.2 (grizzly-framework, -http,
 * -http-server). After an upgrade, run the launcher's tests ({@code dev.jchat.launcher}) and
 * the {@code Embedded*Test} contract classes: they fail where a fallback below would hide a
 * change from a user.
 *
 * <p><b>What it reaches into, and what happens when that changes:</b>
 * <ul>
 *   <li>{@link dev.jchat.launcher.grizzly.BoundGrizzlyContainer}: the package-private constructor
 *       {@code WebSocketAddOn(ServerContainer, String)} of Tyrus' Grizzly container, by
 *       reflection, to put Tyrus on a listener bound to one address (Tyrus binds 0.0.0.0, issue
 *       593). Changed: the server does not start, and says so (no fallback: it would listen on
 *       every address). It also relies on Tyrus taking its session timers from
 *       {@code getScheduledExecutorService()} ({@code EmbeddedServerTest} counts them).</li>
 *   <li>{@link dev.jchat.launcher.grizzly.GrizzlyConnections}: Tyrus' private fields from a
 *       session down to its writer ({@link dev.jchat.tyrus.FieldPath#TYRUS_WRITER}:
 *       {@code TyrusSession.basicRemote}, {@code TyrusRemoteEndpoint.webSocket},
 *       {@code TyrusWebSocket.protocolHandler}, {@code ProtocolHandler.writer}) and on to
 *       {@code GrizzlyWriter.connection}, looked up at startup; it replaces
 *       {@code ProtocolHandler.writer} with its own {@code org.glassfish.tyrus.spi.Writer}, and
 *       writes to the Grizzly connection's channel and async write queue. A field gone: one
 *       warning at startup, and the chat does without: sends go through {@code sendText}, a
 *       connection given up on is closed but not dropped (its socket stays until the operating
 *       system gives up on it), pings no longer keep a connection from being idle, and the frame
 *       limit is checked by the endpoint on what Tyrus hands over (a frame over Tyrus' buffer,
 *       the limit plus 64 KiB, is closed by Tyrus with 1011 instead of 1009). A field that cannot
 *       be read later: one warning, and that session goes the same way.</li>
 *   <li>{@link dev.jchat.launcher.grizzly.FrameLimit}: Tyrus' filter, by its class name
 *       ({@code GrizzlyServerFilter}, not public), found in the listener's chain on the first
 *       read; it hands an upgraded connection's bytes straight to it, as the
 *       {@code HttpContent} Grizzly's HTTP filter would have made (Tyrus reads no header once
 *       upgraded), and removes Grizzly's {@code HttpServerFilter} request from the connection.
 *       Not found: one warning, and bytes take the usual way through the HTTP filter, which then
 *       keeps about 11 KB per connection (the limit itself still holds).</li>
 *   <li>{@link dev.jchat.launcher.grizzly.HandshakeTimeout}: the private static attribute
 *       {@code GrizzlyServerFilter.TYRUS_CONNECTION}, by reflection, to tell the connections Tyrus
 *       upgraded. Gone: one warning per server start, and a connection counts as upgraded once
 *       {@code FrameLimit} watches it, which is every chat connection while
 *       {@code GrizzlyConnections} holds; if that is gone too, chat connections the server does
 *       not write to are closed after the handshake timeout
 *       ({@code EmbeddedServerTest.connectionsThatNeverUpgrade...AndChatConnectionsStay}).</li>
 *   <li>{@link dev.jchat.launcher.grizzly.ReadClock}: Grizzly's public filter API only; it
 *       relies on Tyrus' container carrying a WebSocket's frames through the listener's filter
 *       chain, and {@code FrameLimit} places itself after it.</li>
 * </ul>
 * The three filters sit right after Grizzly's {@code TransportFilter}, before the HTTP filter
 * and Tyrus' filter, with {@code FrameLimit} after {@code ReadClock}.
 */
package dev.jchat.launcher.grizzly;
