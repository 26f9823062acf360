package io.tux.core.engine;

import io.tux.core.buffer.ByteRing;
import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/**
 * One Tux connection. Application threads use the public methods; the network thread of its {@link Engine}
 * does everything else (packets, acknowledgments, timers).
 *
 * <p>Threading: at most one application thread reads at a time and at most one writes at a time (callers
 * serialise, as a channel's read and write locks do). Bytes move through two lock-free single-producer,
 * single-consumer rings ({@link ByteRing}); the rest is published through the volatile fields below.
 */
public final class Connection {
    /** Largest message in {@link Mode#MESSAGE}. */
    public static final int MAX_MESSAGE_SIZE = 65536;

    static final int EVENT_READABLE = 1;
    static final int EVENT_WRITABLE = 2;
    static final int EVENT_STATE = 4;

    final Engine engine;
    final int route;
    final Mode mode;
    final ConnectionListener listener;
    final long localToken;
    final int localIsn;
    final long localAppData;
    final int maxPayload;
    final SendPath send;
    final ReceivePath receive;

    // ---- network thread only ----
    int localId;
    int remoteId;
    long remoteToken;
    /** Largest payload we may send: the smaller of ours and the peer's. */
    int sendPayload;
    long openedAt;
    long handshakeNextSend;
    long handshakeInterval;
    boolean remoteKnown;
    boolean handshakeReplyDue;
    /** Loop-iteration events for the listener (EVENT_*); 0 when not on the engine's notify list. */
    int events;
    long terminalAt = Long.MAX_VALUE;
    /**
     * When the last valid packet from the peer arrived (the engine's clock). Written by the network thread; read
     * racily by {@link #lastHeardNanos()} (a 64-bit plain field: a reader may see an older value, never a torn one
     * on a 64-bit JVM, which only delays a decision by one packet).
     */
    long lastHeardAt;
    /** When the next keepalive probe is due; MAX_VALUE: counted from {@link #lastHeardAt}. */
    long keepaliveAt = Long.MAX_VALUE;
    /** Keepalive probes sent since the peer was last heard. */
    int keepaliveProbes;
    /** After a close, when the connection is given up waiting for the peer's FIN; MAX_VALUE: not yet set. */
    long closeDeadline = Long.MAX_VALUE;
    /** The peer's app data from its handshake, until {@link #established} publishes it. */
    long pendingAppData;

    /** Written by the network thread before it publishes ESTABLISHED through {@link #state}; read after it. */
    private long remoteAppData;

    /** Written by the network thread (volatile store), read by anyone. */
    private volatile ConnectionState state = ConnectionState.HANDSHAKING;
    /**
     * Written once by the network thread (volatile) when the peer's first handshake arrived, before it answers
     * it; read by anyone. Once true the peer runs Tux and may become established and send on Tux.
     */
    private volatile boolean peerHeard;

    /** Written by the application (volatile), read by the network thread: send a FIN after the data. */
    volatile boolean finRequested;
    /** Written by the application (volatile), read by the network thread: the application let go of it. */
    volatile boolean closeRequested;
    /** Written by the application (volatile), read by the network thread: reset it now. */
    volatile boolean abortRequested;
    /**
     * Written by the application (volatile, once; 0: not asked), read by the network thread: give the handshake
     * up this many nanoseconds after the network thread saw the request, unless it completed by then.
     */
    volatile long handshakeGiveUpAfter;
    /** Network thread only: when the handshake is given up ({@link #handshakeGiveUpAfter}); MAX_VALUE: never. */
    long handshakeGiveUpAt = Long.MAX_VALUE;

    Connection(Engine engine, int route, Mode mode, ConnectionListener listener, long localToken, int localIsn,
               long localAppData, EngineConfig config, int maxPayload) {
        this.engine = engine;
        this.route = route;
        this.mode = mode;
        this.listener = listener;
        this.localToken = localToken;
        this.localIsn = localIsn;
        this.localAppData = localAppData;
        this.maxPayload = maxPayload;
        this.sendPayload = maxPayload;
        this.send = new SendPath(this, config, localIsn);
        this.receive = new ReceivePath(this, config, maxPayload);
    }

    public ConnectionState state() { return state; }

    /** The engine that drives this connection (application threads that wait may drive it themselves). */
    public Engine engine() { return engine; }

    public Mode mode() { return mode; }

    public int route() { return route; }

    /** The peer's 64 bits for the layer above (see {@code Handshake.OFFSET_APP_DATA}); valid once established. */
    public long remoteAppData() {
        if (state == ConnectionState.HANDSHAKING) throw new IllegalStateException("handshake not complete");
        return remoteAppData;
    }

    // ---- stream mode ----

    /**
     * Copies as many bytes of {@code src} as the send buffer has room for; never blocks.
     *
     * @return the number of bytes taken, 0 when the send buffer is full
     * @throws IOException if the connection failed, or output was shut down
     */
    public int write(ByteBuffer src) throws IOException {
        checkWritable();
        if (mode != Mode.STREAM) throw new IllegalStateException("write(ByteBuffer) is for stream connections");
        boolean idle = isFlushed();
        int n = send.ring.offer(src, Integer.MAX_VALUE);
        if (n > 0) {
            // Nothing in flight: send at once from this thread (no hand-off). Otherwise the bytes join what is in
            // flight and go with the next iteration of whoever drives (Nagle's idea, without its wait).
            if (idle) engine.kick(this);
            else engine.wakeup();
        }
        return n;
    }

    /**
     * Copies as many delivered bytes as fit into {@code dst}; never blocks.
     *
     * @return the number of bytes read; 0 when none are waiting; -1 at the end of the stream
     * @throws IOException if the peer reset the connection or stopped answering
     */
    public int read(ByteBuffer dst) throws IOException {
        if (mode != Mode.STREAM) throw new IllegalStateException("read(ByteBuffer) is for stream connections");
        int n = receive.ring.take(dst);
        if (n > 0) {
            if (receive.blocked) engine.wakeup();
            return n;
        }
        if (!dst.hasRemaining()) return 0;
        if (receive.eof) {
            // eof is published after the last byte: once seen, an empty ring means the end.
            n = receive.ring.take(dst);
            return n > 0 ? n : -1;
        }
        checkReadable();
        return 0;
    }

    /** Bytes (stream) or bytes of whole messages with their length fields (message) waiting to be read. */
    public long readableBytes() { return receive.ring.readableBytes(); }

    /**
     * Bytes this end holds for the application: delivered and unread, plus received out of order. Bounded by
     * the receive buffer plus the window's reorder slots, however slow the reader. A diagnostic: from another
     * thread than the network thread the reorder part may be stale.
     */
    public long bufferedBytes() { return receive.ring.readableBytes() + receive.heldBytes; }

    /**
     * True once the peer's stream ended in order (its FIN arrived and every byte before it was delivered to the
     * receive buffer); the bytes may still be unread.
     */
    public boolean inputEnded() { return receive.eof; }

    /**
     * When the last valid packet from the peer arrived, on the engine's clock ({@link System#nanoTime()} unless
     * the engine was built with another {@link NanoClock}). A diagnostic read from any thread.
     */
    public long lastHeardNanos() { return lastHeardAt; }

    /** Whether {@code e} is the engine that serves this connection. */
    public boolean engineIs(Engine e) { return engine == e; }

    /** Iterations of the network loop serving this connection so far (a diagnostic read from any thread). */
    public long engineIterations() { return engine.counters().get(EngineCounters.Counter.LOOP_ITERATIONS); }

    /** Wakes the network thread serving this connection, so that it runs at least one more iteration. */
    public void wakeEngine() { engine.wakeup(); }

    /** The smoothed round trip time, or -1 before it was measured (a diagnostic read from any thread). */
    public long smoothedRttNanos() { return send.srttNanos(); }

    /** True once the peer's handshake arrived: the peer runs Tux (see {@link #peerHeard}). */
    public boolean peerHeard() { return peerHeard; }

    /** Bytes written to this connection that the peer acknowledged (stream position of the send buffer). */
    public long acknowledgedBytes() { return send.ring.consumerPosition(); }

    /** Room in the send buffer now. */
    public int writableBytes() { return send.ring.freeBytes(); }

    /** True when a read would not return 0: data waiting, end of stream, or an error to report. */
    public boolean isReadable() {
        return receive.ring.readableBytes() > 0 || receive.eof || isFailed(state);
    }

    /** True when a write would not return 0 (room in the send buffer) or would fail. */
    public boolean isWritable() {
        ConnectionState s = state;
        return s != ConnectionState.HANDSHAKING && (send.ring.freeBytes() > (mode == Mode.STREAM ? 0 : 4) || s.isTerminal());
    }

    /** True once everything written was acknowledged by the peer. */
    public boolean isFlushed() { return send.ring.consumerPosition() == send.ring.producerPositionPlain(); }

    // ---- message mode ----

    /**
     * Queues one whole message, or nothing if the send buffer lacks room for it.
     *
     * @return true if the message was taken
     * @throws IllegalArgumentException if it is longer than {@link #MAX_MESSAGE_SIZE}
     */
    public boolean writeMessage(ByteBuffer message) throws IOException {
        checkWritable();
        if (mode != Mode.MESSAGE) throw new IllegalStateException("writeMessage is for message connections");
        int len = message.remaining();
        if (len > MAX_MESSAGE_SIZE) {
            throw new IllegalArgumentException("message of " + len + " bytes exceeds " + MAX_MESSAGE_SIZE);
        }
        ByteRing r = send.ring;
        if (r.freeBytes() < 4 + len) return false;
        long p = r.producerPositionPlain();
        boolean idle = r.consumerPosition() == p;
        r.writeInt(p, len);
        r.write(p + 4, message, len);
        r.publish(p + 4 + len);
        if (idle) engine.kick(this); // as in write(ByteBuffer)
        else engine.wakeup();
        return true;
    }

    /** Length of the next whole message waiting, or -1 if none is (then see {@link #isReadable()}). */
    public int nextMessageLength() {
        ByteRing r = receive.ring;
        return r.readableBytes() >= 4 ? r.readInt(r.consumerPositionPlain()) : -1;
    }

    /**
     * Reads one whole message into {@code dst}.
     *
     * @return its length; -1 if none is waiting and the peer ended the connection; 0 if none is waiting yet
     *     (0 is also the length of an empty message: tell them apart with {@link #nextMessageLength()})
     * @throws BufferOverflowException if {@code dst} has less room than the message (nothing is consumed)
     */
    public int readMessage(ByteBuffer dst) throws IOException {
        if (mode != Mode.MESSAGE) throw new IllegalStateException("readMessage is for message connections");
        ByteRing r = receive.ring;
        boolean eofSeen = receive.eof;
        if (r.readableBytes() < 4) {
            if (eofSeen) return -1;
            checkReadable();
            return 0;
        }
        long c = r.consumerPositionPlain();
        int len = r.readInt(c);
        if (dst.remaining() < len) throw new BufferOverflowException();
        r.copyOut(c + 4, dst, len);
        r.release(c + 4 + len);
        if (receive.blocked) engine.wakeup();
        return len;
    }

    // ---- close ----

    /** Ends this direction in order: the peer reads the end of the stream after the last byte written. */
    public void shutdownOutput() {
        finRequested = true;
        engine.wakeup();
    }

    /**
     * Lets go of the connection: an orderly FIN after what was written. Bytes delivered and not read, and bytes
     * that arrive later, are acknowledged and thrown away. (TCP resets the peer when unread bytes are thrown away;
     * a caller that wants that calls {@link #abort()} instead.)
     */
    public void close() {
        finRequested = true;
        closeRequested = true;
        engine.wakeup();
    }

    /**
     * Bounds a handshake that would otherwise never fail by time (the peer's handshake arrived, so this end keeps
     * answering): if it has not completed {@code nanos} from now, it fails ({@link ConnectionState#HANDSHAKE_FAILED}).
     * For an application that learnt by other means that the peer is gone (its TCP connection ended or was reset,
     * and a peer that had cut over would have established this end by then). Has no effect once established, or
     * after the first call.
     */
    public void giveUpHandshakeAfter(long nanos) {
        if (nanos <= 0) throw new IllegalArgumentException("nanos must be > 0: " + nanos);
        if (handshakeGiveUpAfter == 0) handshakeGiveUpAfter = nanos;
    }

    /** Resets the connection at once: unsent data is thrown away and the peer sees a reset. */
    public void abort() {
        abortRequested = true;
        closeRequested = true;
        engine.wakeup();
    }

    private void checkWritable() throws IOException {
        ConnectionState s = state;
        if (s == ConnectionState.HANDSHAKING) throw new IllegalStateException("handshake not complete");
        if (isFailed(s)) throw failure(s);
        if (finRequested || s == ConnectionState.CLOSED) throw new IOException("output shut down");
    }

    private void checkReadable() throws IOException {
        ConnectionState s = state;
        if (isFailed(s)) throw failure(s);
    }

    private static boolean isFailed(ConnectionState s) {
        return s.isTerminal() && s != ConnectionState.CLOSED;
    }

    private static IOException failure(ConnectionState s) {
        return switch (s) {
            case RESET -> new TuxConnectionException(s, "Connection reset");
            case TIMED_OUT -> new TuxConnectionException(s, "Connection timed out");
            case ABORTED -> new TuxConnectionException(s, "Connection aborted");
            case HANDSHAKE_FAILED -> new TuxConnectionException(s, "Tux handshake failed");
            default -> new TuxConnectionException(s, "Connection " + s);
        };
    }

    // ---- network thread ----

    void markPeerHeard() { peerHeard = true; }

    void established(long remoteAppData) {
        this.remoteAppData = remoteAppData;
        setState(ConnectionState.ESTABLISHED);
    }

    void setState(ConnectionState s) {
        if (state.isTerminal()) return;
        state = s;
        events |= EVENT_STATE | EVENT_READABLE | EVENT_WRITABLE;
    }

    ConnectionState statePlain() { return state; }

    @Override
    public String toString() {
        return "Connection[id=" + localId + ", route=" + route + ", " + mode + ", " + state + "]";
    }
}
