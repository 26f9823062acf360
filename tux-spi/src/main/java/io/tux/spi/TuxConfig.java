package io.tux.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Tux's settings, read once from {@code tux.*} system properties.
 *
 * <table>
 *   <caption>System properties</caption>
 *   <tr><th>property</th><th>values</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code tux.enabled}</td><td>{@code true} | {@code false}</td><td>{@code true}</td>
 *       <td>{@code false}: the provider hands out the platform's own channels and selectors, untouched.</td></tr>
 *   <tr><td>{@code tux.handshakeTimeoutMillis}</td><td>1 to 2147483647</td><td>1000</td>
 *       <td>how long a new connection waits for the peer's Tux handshake before it stays on kernel TCP.</td></tr>
 *   <tr><td>{@code tux.peerCacheMillis}</td><td>0 to 2147483647</td><td>10000</td>
 *       <td>how long a peer that did not answer the handshake is remembered as not running Tux: new connections
 *       to it (or, on a server, from its address) skip the handshake and stay on kernel TCP. {@code 0}: never
 *       remembered.</td></tr>
 *   <tr><td>{@code tux.interfaces}</td><td>{@code auto} | comma-separated interface names</td><td>{@code auto}</td>
 *       <td>network interfaces Tux may attach AF_XDP sockets to; {@code auto}: the one the route chooses.</td></tr>
 *   <tr><td>{@code tux.xdpMode}</td><td>{@code auto} | {@code native} | {@code generic}</td><td>{@code auto}</td>
 *       <td>how the XDP program attaches: {@code auto}: driver (native) mode on a physical device, falling back to
 *       generic where the driver has none, generic on a virtual one (veth, bridges, lo); {@code native}: driver mode
 *       only (an interface without it keeps its connections on kernel TCP, PROGRAM_FAILED); {@code generic}: generic
 *       mode only.</td></tr>
 *   <tr><td>{@code tux.linkIdleMillis}</td><td>{@code auto} | {@code never} | 0 to 2147483647</td><td>{@code auto}</td>
 *       <td>how long an interface's AF_XDP link (socket, UMEM, network thread, and with the last one the XDP
 *       program) stays set up after its last connection went, e.g. when the peer does not run Tux; then it is
 *       closed and the interface carries no program until the next connection. {@code auto}: 2000 for programs
 *       in generic mode, {@code never} in driver mode (some NICs reconfigure their queues on attach and detach).</td></tr>
 *   <tr><td>{@code tux.engineThreads}</td><td>1 to 64</td><td>1</td><td>network threads of the loopback stack (the xdp stack runs one per interface queue; see CONFIG.md).</td></tr>
 *   <tr><td>{@code tux.pollBudgetMicros}</td><td>0 to 1000000</td><td>50</td>
 *       <td>how long a selecting thread polls Tux connections (yielding between polls) before it sleeps in the
 *       kernel; applies only while
 *       Tux-mode channels are registered, per select call, so an idle program never burns a core.</td></tr>
 *   <tr><td>{@code tux.log}</td><td>{@code off} | {@code info} | {@code debug}</td><td>{@code info}</td>
 *       <td>{@code info}: status and problems, once; {@code debug}: also one line per connection.</td></tr>
 *   <tr><td>{@code tux.summaryAtExit}</td><td>{@code true} | {@code false}</td><td>{@code false}</td>
 *       <td>print one summary line of the connection counters to standard error when the JVM exits.</td></tr>
 *   <tr><td>{@code tux.stack}</td><td>{@code xdp} | {@code loopback}</td><td>{@code xdp}</td>
 *       <td>what carries Tux connections: AF_XDP sockets ({@code xdp}), or an in-process loopback that needs no
 *       privileges and serves connections whose two ends are in this JVM ({@code loopback}: tests, demos).</td></tr>
 * </table>
 *
 * <p>Values are trimmed; {@code true}/{@code false} and the {@code tux.log} words ignore case. A malformed value
 * never fails the JVM: it is reported in {@link #problems()} (one message naming the property and the allowed
 * values), the property takes its default, and the provider then runs with Tux disabled, logging the message once.
 *
 * <p>Threading: immutable, safe to share.
 */
public final class TuxConfig {

    /** Verbosity of Tux's own log lines (System.Logger "io.tux"). */
    public enum LogLevel { OFF, INFO, DEBUG }

    public static final String ENABLED = "tux.enabled";
    public static final String HANDSHAKE_TIMEOUT_MILLIS = "tux.handshakeTimeoutMillis";
    public static final String PEER_CACHE_MILLIS = "tux.peerCacheMillis";
    public static final String INTERFACES = "tux.interfaces";
    public static final String XDP_MODE = "tux.xdpMode";
    public static final String LINK_IDLE_MILLIS = "tux.linkIdleMillis";
    /** {@link #linkIdleMillis()} for {@code auto}. */
    public static final int LINK_IDLE_AUTO = -2;
    /** {@link #linkIdleMillis()} for {@code never}. */
    public static final int LINK_IDLE_NEVER = -1;
    /** What {@code auto} means for a program in generic mode. */
    public static final int LINK_IDLE_AUTO_GENERIC_MILLIS = 2000;
    public static final String ENGINE_THREADS = "tux.engineThreads";
    public static final String POLL_BUDGET_MICROS = "tux.pollBudgetMicros";
    public static final String LOG = "tux.log";
    public static final String SUMMARY_AT_EXIT = "tux.summaryAtExit";
    public static final String STACK = "tux.stack";

    /** Every property this class reads, in the order of the table. */
    public static final List<String> PROPERTIES = List.of(ENABLED, HANDSHAKE_TIMEOUT_MILLIS, PEER_CACHE_MILLIS,
            INTERFACES, XDP_MODE, LINK_IDLE_MILLIS,
            ENGINE_THREADS, POLL_BUDGET_MICROS, LOG, SUMMARY_AT_EXIT);

    private final boolean enabled;
    private final int handshakeTimeoutMillis;
    private final int peerCacheMillis;
    private final List<String> interfaces;
    private final XdpMode xdpMode;
    private final int linkIdleMillis;
    private final int engineThreads;
    private final int pollBudgetMicros;
    private final LogLevel log;
    private final boolean summaryAtExit;
    private final StackKind stack;
    private final List<String> problems;

    /** How the XDP program attaches ({@code tux.xdpMode}). */
    public enum XdpMode {
        /** Driver mode on physical devices (else generic), generic on virtual ones. */
        AUTO,
        /** Driver mode only. */
        NATIVE,
        /** Generic mode only. */
        GENERIC
    }

    /** What carries Tux connections ({@code tux.stack}). */
    public enum StackKind {
        /** AF_XDP sockets on the interface that routes to the peer (production). */
        XDP,
        /** An in-process loopback: both ends of every connection in this JVM (tests, demos). */
        LOOPBACK
    }

    private TuxConfig(Function<String, String> lookup) {
        List<String> errors = new ArrayList<>(2);
        enabled = bool(lookup, ENABLED, true, errors);
        handshakeTimeoutMillis = integer(lookup, HANDSHAKE_TIMEOUT_MILLIS, 1, Integer.MAX_VALUE, 1000, errors);
        peerCacheMillis = integer(lookup, PEER_CACHE_MILLIS, 0, Integer.MAX_VALUE, 10_000, errors);
        interfaces = interfaces(lookup, errors);
        xdpMode = word(lookup, XDP_MODE, XdpMode.AUTO, XdpMode.values(), errors);
        linkIdleMillis = linkIdle(lookup, errors);
        engineThreads = integer(lookup, ENGINE_THREADS, 1, 64, 1, errors);
        pollBudgetMicros = integer(lookup, POLL_BUDGET_MICROS, 0, 1_000_000, 50, errors);
        log = word(lookup, LOG, LogLevel.INFO, LogLevel.values(), errors);
        summaryAtExit = bool(lookup, SUMMARY_AT_EXIT, false, errors);
        stack = word(lookup, STACK, StackKind.XDP, StackKind.values(), errors);
        problems = List.copyOf(errors);
    }

    /** The settings given by the JVM's system properties now. */
    public static TuxConfig fromSystemProperties() {
        return new TuxConfig(System::getProperty);
    }

    /** The settings given by {@code properties} (property name to value; absent means default). */
    public static TuxConfig of(Map<String, String> properties) {
        return new TuxConfig(properties::get);
    }

    /** {@code tux.enabled} as given (see {@link #problems()} for whether Tux may run at all). */
    public boolean enabled() {
        return enabled;
    }

    public int handshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    /** How long a peer that did not answer the handshake is remembered as not running Tux; 0: never. */
    public int peerCacheMillis() {
        return peerCacheMillis;
    }

    /** The interface names of {@code tux.interfaces}; empty for {@code auto}. */
    public List<String> interfaces() {
        return interfaces;
    }

    public XdpMode xdpMode() {
        return xdpMode;
    }

    /** Milliseconds, or {@link #LINK_IDLE_AUTO} or {@link #LINK_IDLE_NEVER}. */
    public int linkIdleMillis() {
        return linkIdleMillis;
    }

    public int engineThreads() {
        return engineThreads;
    }

    public int pollBudgetMicros() {
        return pollBudgetMicros;
    }

    public LogLevel log() {
        return log;
    }

    public boolean summaryAtExit() {
        return summaryAtExit;
    }

    public StackKind stack() {
        return stack;
    }

    /** One message per malformed property, in table order; empty when every value is well formed. */
    public List<String> problems() {
        return problems;
    }

    /** The problems joined into one line, or null when there are none. */
    String problemText() {
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    static String invalid(String property, String value, String expected) {
        return "Invalid value \"" + value + "\" for system property " + property + ": expected " + expected;
    }

    private static boolean bool(Function<String, String> lookup, String name, boolean dflt, List<String> errors) {
        String raw = lookup.apply(name);
        if (raw == null) {
            return dflt;
        }
        String v = raw.trim();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        errors.add(invalid(name, raw, "true or false"));
        return dflt;
    }

    private static int integer(Function<String, String> lookup, String name, int min, int max, int dflt,
            List<String> errors) {
        String raw = lookup.apply(name);
        if (raw == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        errors.add(invalid(name, raw, "an integer from " + min + " to " + max));
        return dflt;
    }

    private static List<String> interfaces(Function<String, String> lookup, List<String> errors) {
        String raw = lookup.apply(INTERFACES);
        if (raw == null || raw.trim().equalsIgnoreCase("auto")) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String part : raw.split(",", -1)) {
            String n = part.trim();
            if (!validInterfaceName(n)) {
                errors.add(invalid(INTERFACES, raw,
                        "auto or a comma-separated list of interface names (1 to 15 characters, no spaces or '/')"));
                return List.of();
            }
            names.add(n);
        }
        return List.copyOf(names);
    }


    /**
     * A property whose values are the names of {@code values} in lower case (any case accepted, trimmed); absent:
     * {@code dflt}; anything else is reported with the allowed words ("a, b or c") and gives {@code dflt}.
     */
    private static <E extends Enum<E>> E word(Function<String, String> lookup, String name, E dflt, E[] values,
            List<String> errors) {
        String raw = lookup.apply(name);
        if (raw == null) {
            return dflt;
        }
        String v = raw.trim().toLowerCase(Locale.ROOT);
        for (E e : values) {
            if (e.name().toLowerCase(Locale.ROOT).equals(v)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            allowed.append(i == 0 ? "" : i == values.length - 1 ? " or " : ", ")
                    .append(values[i].name().toLowerCase(Locale.ROOT));
        }
        errors.add(invalid(name, raw, allowed.toString()));
        return dflt;
    }

    private static int linkIdle(Function<String, String> lookup, List<String> errors) {
        String raw = lookup.apply(LINK_IDLE_MILLIS);
        if (raw == null) {
            return LINK_IDLE_AUTO;
        }
        String v = raw.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) {
            return LINK_IDLE_AUTO;
        }
        if (v.equals("never")) {
            return LINK_IDLE_NEVER;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        errors.add(invalid(LINK_IDLE_MILLIS, raw, "auto, never or an integer from 0 to 2147483647"));
        return LINK_IDLE_AUTO;
    }

    private static String linkIdleText(int millis) {
        return millis == LINK_IDLE_AUTO ? "auto" : millis == LINK_IDLE_NEVER ? "never" : Integer.toString(millis);
    }

    private static boolean validInterfaceName(String n) {
        if (n.isEmpty() || n.length() > 15) {
            return false;
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c <= ' ' || c == '/' || c == ':' || c > '~') {
                return false;
            }
        }
        return true;
    }



    @Override
    public String toString() {
        return ENABLED + "=" + enabled + ", " + HANDSHAKE_TIMEOUT_MILLIS + "=" + handshakeTimeoutMillis + ", "
                + PEER_CACHE_MILLIS + "=" + peerCacheMillis + ", "
                + INTERFACES + "=" + (interfaces.isEmpty() ? "auto" : String.join(",", interfaces)) + ", "
                + XDP_MODE + "=" + xdpMode.name().toLowerCase(Locale.ROOT) + ", "
                + LINK_IDLE_MILLIS + "=" + linkIdleText(linkIdleMillis) + ", "
                + ENGINE_THREADS + "=" + engineThreads + ", " + POLL_BUDGET_MICROS + "=" + pollBudgetMicros + ", "
                + LOG + "=" + log.name().toLowerCase(Locale.ROOT) + ", " + SUMMARY_AT_EXIT + "=" + summaryAtExit
                + ", " + STACK + "=" + stack.name().toLowerCase(Locale.ROOT);
    }
}
