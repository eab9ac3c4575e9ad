package dev.jchat.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The checks of the settings whose values are texts with a shape: each returns what is wrong, to
 * follow the setting's name in a {@link ConfigException}, or null. A secret is never in its message.
 * Stateless, so safe to share.
 */
final class Checks {

    /** A host name: RFC 1123 labels, the last of them not all digits (that would be an address). */
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?i)(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)*(?=[a-z0-9-]*[a-z-])"
                    + "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.?");
    /** An IPv4 address in full dotted-quad form (not the shorthand forms 127.1 or 2130706433). */
    private static final Pattern IPV4 = Pattern.compile(
            "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    /**
     * What can be an IPv6 literal, optionally with a zone ({@code fe80::1%eth0}). Starting with a
     * hex digit or a colon and holding a colon, the JDK parses it as a literal and never asks DNS.
     */
    private static final Pattern IPV6_SHAPE = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[\\w.-]+)?");
    private static final Pattern REDIS_PREFIX = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private Checks() {
    }

    /** The host without the brackets of an IPv6 literal ({@code [::1]}). */
    static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    static String hostProblem(String host) {
        String bare = host == null ? "" : host;
        if (IPV4.matcher(bare).matches() || HOST_NAME.matcher(bare).matches() || isIpv6Literal(bare)) {
            return null;
        }
        return "must be an IP address or a host name to listen on (0.0.0.0 for every interface, 127.0.0.1 for this"
                + " machine only), got \"" + host + "\"";
    }

    private static boolean isIpv6Literal(String text) {
        if (!IPV6_SHAPE.matcher(text).matches()) {
            return false;
        }
        try {
            InetAddress.getByName(text); // a literal: parsed, never looked up
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static String nameProblem(String name) {
        try {
            return dev.jchat.security.InputRules.name(name).equals(name) ? null : "`" + name + "` is not written as the chat writes names";
        } catch (dev.jchat.security.RefusedException e) {
            return "`" + name + "`: " + e.getMessage();
        }
    }

    static String originProblem(String origin) {
        if (origin.equals("*")) {
            return null;
        }
        try {
            URI uri = new URI(origin);
            boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            if (web && uri.getHost() != null && uri.getRawPath().isEmpty() && uri.getRawQuery() == null
                    && uri.getRawUserInfo() == null && origin.equals(origin.toLowerCase(Locale.ROOT))) {
                return null;
            }
        } catch (URISyntaxException e) {
            // refused below, with the same message as any other non-origin
        }
        return "must list origins like https://chat.example.com:8443 (lower case, no path) or *, got \"" + origin + "\"";
    }

    /**
     * A place the page may fetch from or link to: a path of the page's own site ({@code /api/chat-token},
     * not {@code //host}), or an absolute http or https URL without a user or a fragment.
     */
    static String pageUrlProblem(String url) {
        try {
            URI uri = new URI(url);
            boolean path = url.startsWith("/") && !url.startsWith("//") && uri.getScheme() == null;
            boolean web = ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawUserInfo() == null;
            if ((path || web) && uri.getRawFragment() == null && url.indexOf('\\') < 0) {
                return null;
            }
        } catch (URISyntaxException e) {
            // refused below, as any other text that is no such place
        }
        return "must be a path of the page's site like /api/chat-token, or an http:// or https:// URL without a user"
                + " or a fragment, got \"" + url + "\"";
    }

    /** The value as the startup report shows it: the URL itself, which holds no secret. */
    static String pageUrlReport(String url) {
        return url == null ? "(not set)" : url;
    }

    static String jwtSecretProblem(String secret) {
        int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
        return bytes >= ChatConfig.Security.MIN_SECRET_BYTES ? null
                : "must be at least " + ChatConfig.Security.MIN_SECRET_BYTES + " bytes for HS256, got " + bytes;
    }

    /** A URL a JWKS is fetched from: http or https, with a host; never shown in the message (it may hold a password). */
    static String jwksUrlProblem(String url) {
        try {
            URI uri = new URI(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawFragment() == null) {
                return null;
            }
        } catch (URISyntaxException e) {
            // refused below, with the same message as any other URL that will not do
        }
        return "must be an http:// or https:// URL with a host and no fragment";
    }

    /** An issuer or an audience: printable, no surrounding spaces, at most 1024 characters. */
    static String jwtClaimValueProblem(String value) {
        return value.length() <= 1_024 && value.equals(value.strip()) && value.chars().noneMatch(Character::isISOControl)
                ? null : "must be at most 1024 printable characters without surrounding spaces";
    }

    /** A claim's name or a dotted path to one ({@code realm_access.roles}): no empty part, no spaces. */
    static String claimPathProblem(String path) {
        return path != null && path.length() <= 256 && !path.startsWith(".") && !path.endsWith(".")
                && !path.contains("..") && path.chars().allMatch(c -> c > ' ' && c < 0x7f)
                ? null : "must be a claim's name or a dotted path like realm_access.roles, got \"" + path + "\"";
    }

    /** An optional value as the startup report shows it. */
    static String shownOrUnset(String value) {
        return value == null ? "(not set)" : value;
    }

    static String metricsTokenProblem(String token) {
        if (token.length() >= ChatConfig.Security.MIN_METRICS_TOKEN_CHARS && token.chars().allMatch(c -> c > ' ' && c < 127)) {
            return null;
        }
        // never the token itself in the message
        return "must be at least " + ChatConfig.Security.MIN_METRICS_TOKEN_CHARS
                + " printable ASCII characters without spaces, got " + token.length() + " characters";
    }

    static String webhookSecretProblem(String secret) {
        if (secret.length() >= ChatConfig.MIN_WEBHOOK_SECRET_CHARS && secret.chars().allMatch(c -> c > ' ' && c < 127)) {
            return null;
        }
        // never the secret itself in the message
        return "must be at least " + ChatConfig.MIN_WEBHOOK_SECRET_CHARS
                + " printable ASCII characters without spaces, got " + secret.length() + " characters";
    }

    /** A URL as the startup report shows it: its scheme, host and port only (its path or query may hold a token). */
    static String urlOrigin(String url) {
        if (url == null) {
            return "(not set)";
        }
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + "/...";
    }

    static String apiKeyProblem(String key) {
        if (key.length() >= ChatConfig.Security.MIN_API_KEY_CHARS && key.chars().allMatch(c -> c > ' ' && c < 127)) {
            return null;
        }
        // never the key itself in the message
        return "must be at least " + ChatConfig.Security.MIN_API_KEY_CHARS
                + " printable ASCII characters without spaces, got " + key.length() + " characters";
    }

    /** A role's name as a token's roles claim or a container holds it: printable, no spaces, at most 128. */
    static String roleProblem(String role) {
        return role != null && !role.isEmpty() && role.length() <= 128 && role.chars().allMatch(c -> c > ' ' && c < 0x7f)
                ? null : "must be 1 to 128 printable ASCII characters without spaces, got \"" + role + "\"";
    }

    static String redisPrefixProblem(String prefix) {
        return prefix != null && REDIS_PREFIX.matcher(prefix).matches() ? null
                : "must be 1 to 64 of A-Z a-z 0-9 _ . : -, got \"" + prefix + "\"";
    }

    /** One address in a {@code redis-sentinel://} or {@code redis-cluster://} URL: a host name or IPv4 address, and maybe a port. */
    private static final Pattern SENTINEL = Pattern.compile("[A-Za-z0-9._-]+(:\\d{1,5})?");

    static String redisUrlProblem(String url) {
        String problem;
        try {
            URI uri = new URI(url);
            if (sentinel(uri)) {
                problem = sentinelProblem(uri);
                if (problem == null) {
                    return null;
                }
                return "must look like redis-sentinel://[user:password@]host:port[,host:port...][/db]#master: " + problem;
            }
            if (cluster(uri)) {
                problem = clusterProblem(uri);
                if (problem == null) {
                    return null;
                }
                return "must look like redis-cluster://[user:password@]host:port[,host:port...]: " + problem;
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
                problem = "the scheme must be redis or rediss";
            } else if (uri.getHost() == null) {
                problem = "a host is required";
            } else if (!path.isEmpty() && !path.matches("/\\d{1,2}")) {
                problem = "the path, when present, is a database number like /0";
            } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                problem = "no query or fragment is understood";
            } else {
                return null;
            }
        } catch (URISyntaxException e) {
            problem = "it is not a URL";
        }
        // never the URL itself in the message: it may hold a password
        return "must look like redis://[user:password@]host:port[/db] or rediss://..., or"
                + " redis-sentinel://host:port[,host:port...]#master, or redis-cluster://host:port[,host:port...]: " + problem;
    }

    /** A Redis Cluster by some of its nodes: {@code redis-cluster://}, or {@code rediss-cluster://} for TLS. */
    static boolean cluster(URI uri) {
        return "redis-cluster".equals(uri.getScheme()) || "rediss-cluster".equals(uri.getScheme());
    }

    /** What is wrong with a cluster URL, or null: one or more nodes; no database (a cluster has only 0), query or fragment. */
    private static String clusterProblem(URI uri) {
        if (!hosts(uri)) {
            return "one or more of the cluster's nodes, host:port, separated by commas";
        } else if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
            return "a cluster has no database number";
        } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return "no query or fragment is understood";
        }
        return null;
    }

    /** Whether the URL's authority is one or more host:port, separated by commas, after any user:password@. */
    private static boolean hosts(URI uri) {
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        String hosts = authority.substring(authority.lastIndexOf('@') + 1);
        return !hosts.isEmpty() && Arrays.stream(hosts.split(",", -1)).allMatch(h -> SENTINEL.matcher(h).matches());
    }

    /** Lettuce's Sentinel URLs: {@code redis-sentinel://}, or {@code rediss-sentinel://} for TLS. */
    private static boolean sentinel(URI uri) {
        return "redis-sentinel".equals(uri.getScheme()) || "rediss-sentinel".equals(uri.getScheme());
    }

    /** What is wrong with a Sentinel URL (Lettuce's syntax, as much of it as the chat understands), or null. */
    private static String sentinelProblem(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!hosts(uri)) {
            return "one or more sentinels, host:port, separated by commas";
        } else if (!path.isEmpty() && !path.matches("/\\d{1,2}")) {
            return "the path, when present, is a database number like /0";
        } else if (uri.getRawQuery() != null) {
            return "no query is understood";
        } else if (uri.getRawFragment() == null || uri.getRawFragment().isEmpty()) {
            return "the master's name, as the sentinels know it, is required after #";
        }
        return null;
    }

    /** The Redis address without its password, for logs. */
    /**
     * The publish hook's URL for the startup report: without its user's password or its query,
     * where an application may put a token for its hook.
     */
    static String hookUrlReport(String url) {
        if (url == null) {
            return "(not set: no publish hook)";
        }
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + (uri.getRawUserInfo() == null ? "" : "***@") + uri.getHost()
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + (uri.getRawPath() == null ? "" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?***");
    }

    static String redisAddress(String url) {
        if (url == null) {
            return "(not set: rooms in memory)";
        }
        URI uri = URI.create(url);
        if (sentinel(uri) || cluster(uri)) {
            String authority = uri.getRawAuthority();
            return uri.getScheme() + "://" + (authority.contains("@") ? "***@" : "")
                    + authority.substring(authority.lastIndexOf('@') + 1) + (uri.getRawPath() == null ? "" : uri.getRawPath())
                    + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment());
        }
        return uri.getScheme() + "://" + (uri.getRawUserInfo() == null ? "" : "***@") + uri.getHost()
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
