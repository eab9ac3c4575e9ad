package dev.jchat.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which browser origins may open a connection (against cross-site WebSocket hijacking): the
 * page's own, plus those configured. Matching is exact: {@code http://host.evil.example} is not
 * {@code http://host}, and the opaque origin {@code null} is refused. Immutable, thread-safe.
 */
public final class OriginPolicy {

    private final List<String> allowed;
    private final boolean any;

    public OriginPolicy(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
        this.any = allowed.contains("*");
    }

    /**
     * Whether a handshake may proceed.
     *
     * @param origin the {@code Origin} header, or null when the client sent none (not a browser)
     * @param host   the {@code Host} header of the same handshake
     */
    public boolean allows(String origin, String host) {
        if (origin == null || any) {
            return true;
        }
        String normalized = origin.toLowerCase(Locale.ROOT);
        return allowed.contains(normalized) || sameAsPage(normalized, host);
    }

    /** The origin names the host and port the handshake itself was sent to. */
    private static boolean sameAsPage(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme();
            if (!("http".equals(scheme) || "https".equals(scheme)) || uri.getHost() == null
                    || !uri.getRawPath().isEmpty() || uri.getRawUserInfo() != null) {
                return false;
            }
            int defaultPort = "https".equals(scheme) ? 443 : 80;
            return authority(uri.getHost(), uri.getPort(), defaultPort).equals(hostHeader(host, defaultPort));
        } catch (URISyntaxException e) {
            return false; // "null" and other opaque or malformed origins
        }
    }

    private static String hostHeader(String host, int defaultPort) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) { // a port, not part of an IPv6 literal
            try {
                return authority(h.substring(0, colon), Integer.parseInt(h.substring(colon + 1)), defaultPort);
            } catch (NumberFormatException e) {
                return h;
            }
        }
        return h;
    }

    private static String authority(String host, int port, int defaultPort) {
        return port == -1 || port == defaultPort ? host : host + ":" + port;
    }
}
