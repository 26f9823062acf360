package io.tux.bench.net;

/**
 * What the benchmark clients and the {@link Peer} say to each other. Four services, each on its own listening
 * port of the peer:
 * <ul>
 *   <li>echo: every byte received is sent back (ping-pong);</li>
 *   <li>kv: every {@value #KV_REQUEST} bytes received (a GET) are answered with {@value #KV_RESPONSE} bytes;</li>
 *   <li>sink: everything received is read and dropped (bulk one-way stream);</li>
 *   <li>greet: a fresh connection is sent {@value #GREETING_SIZE} byte at once (connect to first byte).</li>
 * </ul>
 */
public final class Wire {
    /** Size of a key-value GET request, bytes. */
    public static final int KV_REQUEST = 16;
    /** Size of a key-value GET response, bytes. */
    public static final int KV_RESPONSE = 1024;
    /** Size of the greeting, bytes. */
    public static final int GREETING_SIZE = 1;
    /** Line the peer prints once it listens: {@code READY <echo> <kv> <sink> <greet>} (ports). */
    public static final String READY = "READY";
    /** Command (one line on the peer's stdin) asking for its process CPU time. */
    public static final String CPU_COMMAND = "cpu";
    /** The peer's answer: {@code CPU <nanoseconds>}. */
    public static final String CPU_REPLY = "CPU";

    private Wire() {}
}
