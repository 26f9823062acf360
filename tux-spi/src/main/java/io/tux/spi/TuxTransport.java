package io.tux.spi;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionListener;
import io.tux.core.engine.ConnectionState;
import io.tux.core.engine.TuxConnectionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The transport of a connection whose Tux handshake started: it carries each direction on kernel TCP until that
 * direction is cut over, then on the Tux connection (docs/PROTOCOL.md, "Cutover"). It is installed as soon as
 * the TCP connection is established, while the handshake runs in the background.
 *
 * <p><b>Sending.</b> Bytes go on TCP (counted) until the Tux connection is established; then, under the write
 * lock, the count X goes as the first 8 bytes of the Tux stream and every later byte goes on Tux. Once the peer
 * acknowledged X, one control byte ({@link #NUDGE}) goes on TCP after the application's bytes, so that a peer
 * blocked in a TCP read wakes up and finds X.
 *
 * <p><b>Receiving.</b> Bytes come from TCP until X is known (the first 8 bytes of the peer's Tux stream) and
 * that many TCP bytes were read; then from Tux. Bytes read from TCP beyond X (the nudge) are control bytes and
 * never reach the application. A TCP end (or reset) is the real one unless the peer runs Tux and may have cut
 * over: then X, or the Tux stream's end without X, decides.
 *
 * <p><b>Readiness.</b> While a direction is on TCP its selection readiness comes from the kernel (the selector
 * keeps the TCP channel registered for {@link #kernelOps()}); once on Tux it is polled ({@link #readiness()}).
 *
 * <p>If the peer never answered the handshake (it does not run Tux), neither direction was cut over and the
 * transport behaves as the kernel's for good ({@link #mode()} is then KERNEL, readiness all from the kernel).
 *
 * <p>Threading: reads are serialised by {@link #readLock}, writes by {@link #writeLock}; the fields say who
 * writes and reads them. The network thread only runs the listener methods, which unpark waiters, signal
 * selectors and start the short cutover tasks on virtual threads.
 */
final class TuxTransport implements Transport, ConnectionListener {
    /** The control byte sent on TCP after X was acknowledged. */
    static final byte NUDGE = 1;
    /**
     * The least time a receiver waits, after its control channel ended, for the Tux stream to end before it
     * declares the peer gone (the grace is the larger of this and four smoothed round trips).
     */
    static final long CONTROL_GRACE_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * Loop iterations our network thread must run between two control checks before the peer's silence counts:
     * enough to drain a full receive queue (4096 packets at 64 per iteration) so that a packet of the peer's that
     * waited behind others would have been heard.
     */
    static final int CONTROL_DRAIN_ITERATIONS = 64;

    private final TuxSocketChannel ch;
    private final SocketChannel tcp;
    private final TuxRuntime rt;
    /** Set once by {@link #attach} before the transport is published as the channel's transport. */
    private volatile Connection conn;

    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();

    // ---- send side ----
    /** Application bytes written on TCP; under writeLock. */
    private long tcpWritten;
    /** Written under writeLock when the send direction moves to Tux; read by anyone. */
    private volatile boolean sendOnTux;
    /** Written by shutdownOutput (under writeLock); read by anyone. */
    private volatile boolean outputShut;

    // ---- receive side ----
    /** Application bytes read from TCP; under readLock. */
    private long tcpRead;
    /** The peer's X, or -1 while unknown; under readLock. */
    private long x = -1;
    private final ByteBuffer header = ByteBuffer.allocate(8);
    /** Written under readLock when the receive direction moves to Tux; read by anyone. */
    private volatile boolean receiveOnTux;
    /** A nudge byte is still to be read from TCP (the receive side moved on without it); under readLock. */
    private boolean nudgeDue = true;
    /** Written under readLock when TCP ended (or was reset) before X was known; read by anyone. */
    private volatile boolean tcpEnded;
    private boolean tcpWasReset;
    private long tcpEndedAt;
    /** A receive-cutover task is pending (CAS-free: only the network thread sets it, the task clears it). */
    private volatile boolean receiveTaskPending;

    /** Written by the network thread when the handshake failed without hearing the peer; read by anyone. */
    private volatile boolean failed;
    /**
     * Written once by the network thread when the handshake completed; read by anyone: the connection then runs
     * on Tux for good, also once its Tux connection ended (a channel read to its end still reports TUX).
     */
    private volatile boolean establishedOnTux;
    /** Written by close (any thread); read by everyone. */
    private volatile boolean closed;
    /** Written by shutdownInput (any thread); read by readers and readiness. */
    private volatile boolean inputShut;
    /** Threads waiting for Tux readiness: set by the waiter before it re-checks and parks, read by the listener. */
    private volatile Thread reader;
    private volatile Thread writer;
    private volatile Thread nudger;

    private final TuxReadiness readiness = new TuxReadiness() {
        @Override
        public int readyOps() {
            return polledOps();
        }

        @Override
        public io.tux.core.engine.Engine engine() {
            Connection c = conn;
            return c == null ? null : c.engine();
        }
    };

    // ---- control channel (docs/PROTOCOL.md, "Control channel") ----
    /**
     * The control watcher reads the TCP socket (which is then non-blocking whatever the channel's mode). Written
     * under {@code ch.blockingLock()} (as is the TCP channel's blocking mode); read by anyone.
     */
    private volatile boolean watched;
    /**
     * TCP's input was shut by this end, so an end of stream on it is our own: written by shutdownInput before it
     * shuts TCP's input; read by the watcher.
     */
    private volatile boolean tcpInputShut;
    /** The peer's one nudge was taken off TCP, by a reader or the watcher (CAS: a second one is a violation). */
    private final AtomicBoolean nudgeTaken = new AtomicBoolean();
    /**
     * The control channel ended or broke the protocol and this end reset the Tux connection because of it:
     * written once before {@code conn.abort()}; read by readers and writers, which then report "Connection reset".
     */
    private volatile boolean controlReset;
    /** At the last control check: when the peer was last heard, and our engine's loop count. Watcher thread only. */
    private long controlHeard;
    private long controlIterations;
    /** Checks run after the control channel ended (tests): written by the watcher thread only, read by anyone. */
    private volatile int controlChecks;

    /** The stack that opened the connection: told when the engine dropped it. */
    private final io.tux.core.stack.TuxStack stack;

    TuxTransport(TuxSocketChannel ch, SocketChannel tcp, TuxRuntime rt, io.tux.core.stack.TuxStack stack) {
        this.ch = ch;
        this.tcp = tcp;
        this.rt = rt;
        this.stack = stack;
    }

    /** Network thread: the engine dropped the connection; its route and registration go too. */
    @Override
    public void onRemoved(Connection c) {
        stack.release(c);
    }

    /** The engine connection, or null before it was attached (tests, diagnostics). */
    Connection connection() {
        return conn;
    }

    void attach(Connection c) {
        this.conn = c;
    }

    // ---------------------------------------------------------------- listener (network thread)

    /** The listener may run before {@link #attach} returned (the peer can complete the handshake first). */
    private void attachFromListener(Connection c) {
        if (conn == null) conn = c;
    }

    @Override
    public void onReadable(Connection c) {
        attachFromListener(c);
        wake(reader);
        if (!receiveOnTux && !receiveTaskPending && c.readableBytes() >= 8) {
            receiveTaskPending = true;
            runVirtual("tux-receive-cutover", this::receiveCutoverTask);
        }
        ch.signalReadiness();
    }

    @Override
    public void onWritable(Connection c) {
        attachFromListener(c);
        wake(writer);
        wake(nudger);
        ch.signalReadiness();
    }

    @Override
    public void onStateChanged(Connection c, ConnectionState s) {
        attachFromListener(c);
        if (s == ConnectionState.ESTABLISHED) {
            establishedOnTux = true;
            ch.tuxEstablished();
            runVirtual("tux-send-cutover", this::sendCutoverTask);
        } else if (s == ConnectionState.HANDSHAKE_FAILED && !c.peerHeard() && !sendOnTux && !receiveOnTux) {
            failed = true;
            // first: whoever sees the reason below finds the kernel transport in place (its switch re-homes the keys)
            boolean switched = ch.fallBackFrom(this);
            ch.tuxHandshakeFailed();
            if (!switched) ch.readinessSourcesChanged();
        } else if (s == ConnectionState.HANDSHAKE_FAILED && !ch.isOpen()) {
            ch.handshakeEndedByClose(); // the peer had answered, but the program let go first
        }
        wake(reader);
        wake(writer);
        wake(nudger);
        ch.signalReadiness();
    }

    private static void wake(Thread t) {
        if (t != null) LockSupport.unpark(t);
    }

    private void runVirtual(String name, Runnable task) {
        try {
            Thread.ofVirtual().name(name).start(task);
        } catch (Throwable t) {
            // cannot happen short of memory exhaustion; the next read or write does the same work
            rt.debug("Tux: no " + name + " thread: " + t);
        }
    }

    /** Cuts the send direction over at once, so that the peer learns X even if this end never writes. */
    private void sendCutoverTask() {
        writeLock.lock();
        try {
            if (!sendOnTux && !outputShut && !closed) cutover();
        } catch (IOException e) {
            // the connection failed meanwhile; reads and writes report it
        } finally {
            writeLock.unlock();
        }
    }

    /** Moves the receive side to Tux as soon as X arrived and the TCP bytes before it were read. */
    private void receiveCutoverTask() {
        readLock.lock();
        try {
            receiveTaskPending = false;
            advanceReceive();
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Under readLock: moves the receive side to Tux if X arrived and the TCP bytes before it were read, and then
     * takes the nudge if it is there. A failure is left for the next read to report.
     */
    private void advanceReceive() {
        try {
            if (!receiveOnTux && !closed) {
                learnX();
                if (x >= 0 && tcpRead >= x && !tcpEnded) moveReceiveToTux();
            }
            if (receiveOnTux) consumeNudgeIfThere();
        } catch (IOException e) {
            // reported by the next read
        }
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public ConnectionMode mode() {
        Connection c = conn;
        if (failed || c == null) return ConnectionMode.KERNEL;
        return sendOnTux || receiveOnTux || establishedOnTux || c.state() == ConnectionState.ESTABLISHED
                ? ConnectionMode.TUX : ConnectionMode.KERNEL;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed || !ch.isOpen()) throw new ClosedChannelException();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return read(dst, -1);
    }

    /**
     * The JDK's rule for a blocking read that another thread's close ended: AsynchronousCloseException, never a
     * normal return (a safety net over the paths that notice the close by themselves).
     */
    private int checkNotClosedUnder(int n, boolean blocking) throws IOException {
        if (n <= 0 && blocking && (closed || !ch.isOpen())) throw new java.nio.channels.AsynchronousCloseException();
        return n;
    }

    /** @param timeoutNanos -1 for none, else the adaptor's SO_TIMEOUT (Tux part only) */
    private int read(ByteBuffer dst, long timeoutNanos) throws IOException {
        ensureOpen();
        if (inputShut) return -1;
        boolean blocking = ch.isBlocking();
        return checkNotClosedUnder(readLocked(dst, timeoutNanos), blocking);
    }

    private int readLocked(ByteBuffer dst, long timeoutNanos) throws IOException {
        readLock.lock();
        try {
            for (;;) {
                if (inputShut) return -1;
                if (receiveOnTux) return readTux(dst, timeoutNanos);
                learnX();
                if (x >= 0 && tcpRead >= x && !tcpEnded) {
                    moveReceiveToTux();
                    continue;
                }
                if (tcpEnded) {
                    int r = resolveTcpEnd();
                    if (r != 1) return r;
                    continue;
                }
                int n;
                try {
                    n = readTcp(dst);
                } catch (SocketException e) {
                    if (!mayHaveCutOver()) throw e;
                    endOfTcp(true);
                    continue;
                }
                if (n == -2) continue; // only the nudge came: X is reached
                if (n == -1) {
                    if (!mayHaveCutOver()) return -1;
                    endOfTcp(false);
                    continue;
                }
                return n;
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        for (int i = offset; i < offset + length; i++) {
            if (!dsts[i].hasRemaining()) continue;
            long total = read(dsts[i]);
            if (total <= 0) return total;
            // fill further buffers only with what is at hand, never blocking for them
            for (int j = i + 1; j < offset + length && !dsts[j - 1].hasRemaining() && receiveOnTux; j++) {
                int m = conn.read(dsts[j]);
                if (m <= 0) break;
                total += m;
            }
            return total;
        }
        return 0;
    }

    /** The peer runs Tux (its handshake arrived) and this end did not give up: it may have cut over. */
    private boolean mayHaveCutOver() {
        Connection c = conn;
        return !failed && c != null && c.peerHeard();
    }

    private void endOfTcp(boolean reset) {
        tcpEnded = true;
        tcpWasReset = reset;
        tcpEndedAt = System.nanoTime();
        nudgeDue = false;
        // The engine keeps a handshake whose peer it heard going for ever; the patience of resolveTcpEnd bounds it,
        // so that a peer that vanished mid-handshake does not leave this connection (and its selection key) behind.
        Connection c = conn;
        if (c != null && c.state() == ConnectionState.HANDSHAKING) {
            c.giveUpHandshakeAfter(TimeUnit.MILLISECONDS.toNanos(rt.config.handshakeTimeoutMillis()));
        }
        ch.readinessSourcesChanged();
    }

    /** Takes X from the Tux stream if its 8 bytes arrived. Under readLock. */
    private void learnX() throws IOException {
        Connection c = conn;
        if (x >= 0 || c == null || failed) return;
        if (c.readableBytes() < 8 - header.position()) return;
        c.read(header);
        if (!header.hasRemaining()) {
            x = header.getLong(0);
            if (x < 0) throw new IOException("Tux cutover: the peer announced a negative TCP length " + x);
        }
    }

    private void moveReceiveToTux() throws IOException {
        if (tcpRead > x) throw new IOException("Tux cutover: read " + tcpRead + " TCP bytes, the peer sent " + x);
        receiveOnTux = true;
        ch.readinessSourcesChanged();
        maybeWatch();
    }

    /** Reads the nudge if it is already there, without blocking. Under readLock. */
    private void consumeNudgeIfThere() {
        if (!nudgeDue || tcpEnded || watched) return; // once watched, the watcher reads TCP
        try {
            if (tcp.socket().getInputStream().available() <= 0) return;
            ByteBuffer one = ByteBuffer.allocate(1);
            if (tcp.read(one) == 1) {
                nudgeDue = false;
                if (!controlByte(one.get(0))) return;
            }
        } catch (IOException | RuntimeException e) {
            nudgeDue = false; // TCP is gone; nothing more will come on it
        }
    }

    /**
     * TCP ended before X was known, and the peer runs Tux: X means it cut over (continue on Tux); the Tux
     * stream's end or failure without X means it did not (the real end); so does a Tux connection still not
     * established a handshake timeout after TCP's end (a peer that cut over is established: its X establishes us).
     *
     * @return 1 to continue reading, -1 for the end, 0 when undecided and not blocking
     */
    private int resolveTcpEnd() throws IOException {
        boolean blocking = ch.isBlocking();
        boolean completed = false;
        if (blocking) ch.beginBlocking();
        try {
            long patience = TimeUnit.MILLISECONDS.toNanos(rt.config.handshakeTimeoutMillis());
            for (;;) {
                learnX();
                if (x >= 0) {
                    if (x != tcpRead) {
                        throw new IOException("Tux cutover: TCP ended at " + tcpRead + ", the peer sent " + x);
                    }
                    tcpEnded = false;
                    moveReceiveToTux();
                    completed = true;
                    return 1;
                }
                Connection c = conn;
                ConnectionState s = c.state();
                if (s == ConnectionState.RESET) {
                    completed = true;
                    throw new SocketException("Connection reset");
                }
                // The end first, then the bytes: the engine publishes the end after the stream's last byte, so this
                // order never misses an X that arrived together with the end (the other order did, when another
                // thread delivered X, the data and the FIN in one iteration between the two reads).
                if (c.inputEnded() && c.readableBytes() == 0 && !s.isTerminal()) {
                    completed = true;
                    return -1; // the peer's Tux stream ended without X: it never cut over; TCP's end is the end
                }
                boolean stale = s == ConnectionState.HANDSHAKING && System.nanoTime() - tcpEndedAt > patience;
                if (s.isTerminal() || stale) {
                    completed = true;
                    if (tcpWasReset) throw new SocketException("Connection reset");
                    return -1;
                }
                if (!blocking || closed || !ch.isOpen()) return 0; // endBlocking throws when closed
                reader = Thread.currentThread();
                if (c.readableBytes() < 8 && !c.isReadable()) LockSupport.parkNanos(this, patience / 4);
                reader = null;
            }
        } finally {
            if (blocking) ch.endBlocking(completed);
        }
    }

    /**
     * Reads application bytes from TCP, never past X. Returns the count, -1 at TCP's end, or -2 when only
     * control bytes came (then X is known and reached).
     */
    private int readTcp(ByteBuffer dst) throws IOException {
        int limit = dst.limit();
        int start = dst.position();
        if (x >= 0) dst.limit((int) Math.min(limit, start + (x - tcpRead)));
        int n;
        try {
            n = tcp.read(dst);
        } finally {
            dst.limit(limit);
        }
        if (n <= 0) return n;
        if (x < 0 && closed) {
            // Closed while this read was in progress: the close may have dropped the Tux connection's buffer and
            // with it X, so these bytes may be the nudge and cannot be told from application bytes. The JDK's
            // answer for a read that another thread's close ended.
            throw new java.nio.channels.AsynchronousCloseException();
        }
        if (x < 0) {
            learnX(); // the nudge is sent only after X was acknowledged: if it came, X is here now
            if (x >= 0 && tcpRead + n > x) {
                int app = (int) (x - tcpRead);
                dst.position(start + app); // the application never sees control bytes, even when they are bad
                checkControl(dst, start + app, n - app);
                nudgeDue = false;
                dst.position(start + app);
                n = app;
            }
        }
        tcpRead += n;
        if (n > 0) rt.stats.bytesReadKernel.add(n);
        return n == 0 ? -2 : n;
    }

    private void checkControl(ByteBuffer dst, int from, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            if (!controlByte(dst.get(from + i))) throw new SocketException("Connection reset");
        }
    }

    private int readTux(ByteBuffer dst, long timeoutNanos) throws IOException {
        Connection c = conn;
        if (!ch.isBlocking()) return tuxRead(c, dst);
        // Blocking: the JDK's begin/end protocol even when bytes are waiting (an interrupted thread closes).
        boolean completed = false;
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        ch.beginBlocking();
        try {
            int n = tuxRead(c, dst);
            if (n != 0 || !dst.hasRemaining()) {
                completed = true;
                return n;
            }
            for (;;) {
                if (!spinFor(c, true)) {
                    if (closed || !ch.isOpen() || inputShut) break;
                    reader = Thread.currentThread();
                    if (!c.isReadable() && !inputShut) {
                        if (deadline != 0) {
                            long left = deadline - System.nanoTime();
                            if (left <= 0) throw new SocketTimeoutException("Read timed out");
                            LockSupport.parkNanos(this, left);
                        } else {
                            LockSupport.park(this);
                        }
                    }
                    reader = null;
                }
                if (closed || !ch.isOpen()) break; // endBlocking throws
                if (inputShut) {
                    completed = true;
                    return -1;
                }
                n = tuxRead(c, dst);
                if (n != 0) {
                    completed = true;
                    return n;
                }
            }
            return 0;
        } finally {
            reader = null;
            ch.endBlocking(completed);
        }
    }

    /** A read of the Tux stream, counted, with a peer's reset reported as the JDK reports a TCP reset. */
    private int tuxRead(Connection c, ByteBuffer dst) throws IOException {
        try {
            int n = c.read(dst);
            if (n > 0) rt.stats.bytesReadTux.add(n);
            return n;
        } catch (TuxConnectionException e) {
            throw asSocketException(e);
        }
    }

    @Override
    public boolean countsBytes() {
        return true;
    }

    private IOException asSocketException(TuxConnectionException e) {
        if (controlReset) return new SocketException("Connection reset");
        return switch (e.state()) {
            case RESET -> new SocketException("Connection reset");
            case TIMED_OUT -> new SocketException("Connection timed out");
            default -> new SocketException(e.getMessage());
        };
    }

    /**
     * Polls for up to the configured budget, running the engine's loop on this thread (so that the packet that
     * makes the connection ready is taken from the ring by the thread that wants it, without a hand-off); true
     * if the connection became ready. When it returns false the caller sleeps, and the engine's network thread
     * serves the connection again.
     */
    private boolean spinFor(Connection c, boolean read) {
        long budget = rt.config.pollBudgetMicros() * 1000L;
        boolean ready = ready(c, read);
        if (budget == 0 || ready) return ready;
        io.tux.core.engine.Engine engine = c.engine();
        long end = System.nanoTime() + budget;
        int spins = 0;
        engine.beginPolling();
        try {
            do {
                engine.drive();
                if (ready(c, read)) {
                    ready = true;
                    break;
                }
                io.tux.core.engine.SpinPause.pause(++spins);
            } while (System.nanoTime() - end < 0 && !closed);
        } finally {
            engine.endPolling(!ready);
        }
        return ready;
    }

    private static boolean ready(Connection c, boolean read) {
        return read ? c.isReadable() : c.isWritable();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ensureOpen();
        if (outputShut) throw new ClosedChannelException();
        writeLock.lock();
        try {
            if (!sendOnTux) {
                Connection c = conn;
                if (c != null && !failed && c.state() == ConnectionState.ESTABLISHED) {
                    cutover();
                } else {
                    long n = tcp.write(srcs, offset, length);
                    if (n > 0) {
                        tcpWritten += n;
                        rt.stats.bytesWrittenKernel.add(n);
                    }
                    return n;
                }
            }
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                if (!srcs[i].hasRemaining()) continue;
                total += writeTux(srcs[i]);
                if (srcs[i].hasRemaining()) break; // the send buffer is full: as much as fits, like the JDK
            }
            if (total > 0) rt.stats.bytesWrittenTux.add(total);
            return total;
        } finally {
            writeLock.unlock();
        }
    }

    /** Under writeLock: X goes first on the Tux stream, then everything else. */
    private void cutover() throws IOException {
        ByteBuffer hx = ByteBuffer.allocate(8).putLong(0, tcpWritten);
        try {
            if (conn.write(hx) != 8) throw new IOException("Tux cutover: no room for X in a fresh send buffer");
        } catch (TuxConnectionException e) {
            throw asSocketException(e);
        }
        sendOnTux = true;
        ch.readinessSourcesChanged();
        runVirtual("tux-nudge", this::nudgeTask);
        maybeWatch();
    }

    private int writeTux(ByteBuffer src) throws IOException {
        Connection c = conn;
        if (!ch.isBlocking()) {
            try {
                return c.write(src);
            } catch (TuxConnectionException e) {
                throw asSocketException(e);
            }
        }
        int total = 0;
        boolean completed = false;
        ch.beginBlocking();
        try {
            // A blocking write writes everything, as the JDK's does.
            while (src.hasRemaining()) {
                if (closed || !ch.isOpen()) return total; // endBlocking throws
                if (!spinFor(c, false)) {
                    writer = Thread.currentThread();
                    if (!c.isWritable() && !closed) LockSupport.park(this);
                    writer = null;
                }
                if (closed || !ch.isOpen()) return total; // endBlocking throws
                try {
                    total += c.write(src);
                } catch (TuxConnectionException e) {
                    throw asSocketException(e);
                }
            }
            completed = true;
            return total;
        } finally {
            writer = null;
            ch.endBlocking(completed || total > 0);
        }
    }

    /** After X was acknowledged, one control byte on TCP wakes a peer blocked in a TCP read. */
    private void nudgeTask() {
        Connection c = conn;
        nudger = Thread.currentThread();
        try {
            while (c.acknowledgedBytes() < 8 && !c.state().isTerminal() && !closed) {
                LockSupport.park(this);
            }
            if (c.acknowledgedBytes() < 8 || closed) return;
            ByteBuffer b = ByteBuffer.wrap(new byte[] {NUDGE});
            for (int tries = 0; b.hasRemaining() && !closed && tcp.isOpen() && tries < 10_000; tries++) {
                if (tcp.write(b) == 0) LockSupport.parkNanos(this, 1_000_000); // non-blocking and full
            }
        } catch (IOException | RuntimeException e) {
            // the TCP connection is gone: nothing to nudge
        } finally {
            nudger = null;
        }
    }

    /**
     * As the JDK's: later reads return -1 at once. The peer is not told (TCP does not tell it either); what it
     * sends on Tux is acknowledged and kept until the channel closes.
     */
    @Override
    public void shutdownInput() throws IOException {
        tcpInputShut = true;
        tcp.shutdownInput();
        inputShut = true;
        wake(reader);
        ch.signalReadiness();
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (sendOnTux && ch.isOpen()) {
            // the Tux FIN is requested before TCP's end goes (see controlEnded); under the write lock, so that it
            // follows every byte a writer put in the send buffer (as below)
            writeLock.lock();
            try {
                Connection c0 = conn;
                if (c0 != null) c0.shutdownOutput();
            } finally {
                writeLock.unlock();
            }
        }
        tcp.shutdownOutput(); // the JDK's checks and exceptions; a direction not cut over ends on TCP here
        writeLock.lock();
        try {
            outputShut = true;
            Connection c = conn;
            if (c != null) c.shutdownOutput(); // after X if cut over; else a Tux end without X: "no cutover"
            maybeWatch();
        } finally {
            writeLock.unlock();
        }
        ch.signalReadiness();
    }

    @Override
    public SelectableChannel selectable() {
        return kernelOps() != 0 ? tcp : null;
    }

    @Override
    public TuxReadiness readiness() {
        return failed ? null : readiness;
    }

    @Override
    public int kernelOps() {
        if (failed) return KERNEL_ALL;
        if (!receiveOnTux) tryAdvanceReceive();
        int ops = SelectionKey.OP_CONNECT;
        if (!receiveOnTux && !tcpEnded) ops |= SelectionKey.OP_READ;
        if (!sendOnTux) ops |= SelectionKey.OP_WRITE;
        return ops;
    }

    /**
     * Moves the receive side to Tux now if X arrived and the TCP bytes before it were read, unless a reader is
     * busy (it will do it). Called by selecting threads before they trust the kernel's OP_READ, so that a
     * nudge byte waiting on TCP is never reported as readable data.
     */
    private void tryAdvanceReceive() {
        Connection c = conn;
        if (c == null || closed || c.readableBytes() < 8 || !readLock.tryLock()) return;
        try {
            advanceReceive();
        } finally {
            readLock.unlock();
        }
    }

    /** The operations whose readiness comes from Tux (the complement of {@link #kernelOps()}). */
    private int polledOps() {
        Connection c = conn;
        if (c == null || failed) return 0;
        int ops = 0;
        if (receiveOnTux || tcpEnded) {
            if (inputShut || closed || c.isReadable()) ops |= SelectionKey.OP_READ;
        }
        if (sendOnTux && (outputShut || closed || c.isWritable())) ops |= SelectionKey.OP_WRITE;
        return ops;
    }

    @Override
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (!ch.isBlocking()) throw new IllegalBlockingModeException();
                if (len == 0) return 0;
                int timeout = tcp.socket().getSoTimeout();
                int n = TuxTransport.this.read(ByteBuffer.wrap(b, off, len),
                        timeout > 0 ? TimeUnit.MILLISECONDS.toNanos(timeout) : -1);
                return n;
            }

            @Override
            public int available() throws IOException {
                Connection c = conn;
                return receiveOnTux ? (int) Math.min(Integer.MAX_VALUE, c.readableBytes())
                        : tcp.socket().getInputStream().available();
            }
        };
    }

    @Override
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (!ch.isBlocking()) throw new IllegalBlockingModeException();
                ByteBuffer src = ByteBuffer.wrap(b, off, len);
                while (src.hasRemaining()) {
                    TuxTransport.this.write(new ByteBuffer[] {src}, 0, 1);
                }
            }
        };
    }

    /** Checks made since the control channel ended (tests). */
    int controlChecks() {
        return controlChecks;
    }

    /** Bytes delivered on Tux and not read yet (tests). */
    long readableOnTux() {
        Connection c = conn;
        return c == null ? 0 : c.readableBytes();
    }

    /** Application bytes this end wrote on TCP before its cutover (for tests and diagnostics). */
    long tcpBytesWritten() {
        writeLock.lock();
        try {
            return tcpWritten;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public String toString() {
        Connection c = conn;
        return "TuxTransport[" + c + ", sendOnTux=" + sendOnTux + ", receiveOnTux=" + receiveOnTux + ", x=" + x
                + ", tcpRead=" + tcpRead + ", tcpWritten=" + tcpWritten + ", tcpEnded=" + tcpEnded + ", failed="
                + failed + ", closed=" + closed + (c == null ? "" : ", readable=" + c.readableBytes() + ", acked="
                + c.acknowledgedBytes() + ", peerHeard=" + c.peerHeard()) + ", reader=" + reader + ", writer="
                + writer + ", nudger=" + nudger + "]";
    }

    /**
     * Lets go of the Tux connection as TCP lets go of a socket: SO_LINGER 0, or bytes that arrived and were
     * never read, reset the peer; otherwise an orderly end after what was written.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Connection c = conn;
        if (c != null) {
            boolean reset = false;
            try {
                reset = tcp.isOpen() && tcp.getOption(StandardSocketOptions.SO_LINGER) == 0;
            } catch (IOException | RuntimeException ignored) {
                // no linger: an orderly close
            }
            long unread = c.readableBytes() - (receiveOnTux || x >= 0 ? 0 : 8 - header.position());
            if (reset || (unread > 0 && !inputShut) || controlReset) {
                c.abort();
            } else {
                c.close();
            }
        }
        if (watched) {
            ControlWatcher w = watcher();
            if (w != null) w.close(tcp); // the watcher's selector must let go of the socket for it to close
        }
        wake(reader);
        wake(writer);
        wake(nudger);
    }

    private ControlWatcher watcher() {
        try {
            return ControlWatcher.shared(rt.platform.provider());
        } catch (IOException | RuntimeException e) {
            rt.debug("Tux: no control channel watcher: " + e);
            return null;
        }
    }

    // ---------------------------------------------------------------- control channel

    /**
     * Hands the TCP socket to the control watcher once nothing else reads or writes it: both directions moved to
     * Tux (or ours ended before it could). The socket becomes non-blocking for good; {@link TuxSocketChannel}
     * then keeps the channel's blocking mode to itself.
     */
    private void maybeWatch() {
        if (!receiveOnTux || !(sendOnTux || outputShut) || watched || closed) return;
        ControlWatcher w = watcher();
        if (w == null) return;
        synchronized (ch.blockingLock()) {
            if (watched || closed || !ch.isOpen()) return;
            try {
                tcp.configureBlocking(false);
            } catch (IOException | RuntimeException e) {
                return; // closed meanwhile
            }
            watched = true;
        }
        w.watch(this, tcp);
    }

    /** Whether the control watcher owns the TCP socket's blocking mode. Read under ch.blockingLock(). */
    boolean controlWatched() {
        return watched;
    }

    /**
     * One byte the peer sent on TCP after X: the nudge once, anything else (or a second nudge) breaks the
     * protocol, which resets the connection. Any thread that read it (a reader, or the watcher).
     *
     * @return false if it broke the protocol
     */
    boolean controlByte(byte b) {
        if (b == NUDGE && nudgeTaken.compareAndSet(false, true)) return true;
        if (closed) return false;
        rt.stats.controlViolations.increment();
        rt.debug("Tux: connection " + tcp + " reset: byte " + b + " on its control channel after the nudge");
        failFromControl();
        return false;
    }

    /**
     * The watcher thread: the peer's TCP socket ended (FIN, or a reset when {@code reset}). This alone is not the
     * end: a peer that ends or closes in order may end TCP while Tux still carries its last bytes and its FIN.
     * From now on the connection is checked every grace period G (the larger of
     * {@link #CONTROL_GRACE_MIN_NANOS} and four round trips) until the Tux stream ended. It is reset, as TCP
     * reports a dead peer, at a check where: the application read every byte delivered, nothing came from the
     * peer since the previous check (G ago), and our own network thread ran at least
     * {@link #CONTROL_DRAIN_ITERATIONS} loop iterations since that check (it is woken at each check): a silent peer
     * is then really silent, not merely unheard because our network thread was starved of CPU or had a backlog of
     * other connections' packets. A live peer with bytes for us is heard within a few round trips.
     */
    void controlEnded(boolean reset) {
        if (tcpInputShut) return; // our own shutdownInput ended TCP's input
        Connection c = conn;
        if (closed || c == null || c.state().isTerminal() || c.inputEnded()) return;
        controlHeard = c.lastHeardNanos();
        controlIterations = c.engineIterations();
        c.wakeEngine();
        controlCheckLater(c);
    }

    private void controlCheckLater(Connection c) {
        ControlWatcher w = watcher();
        if (w != null) w.schedule(controlGrace(c), this::controlCheck);
    }

    private static long controlGrace(Connection c) {
        return Math.max(CONTROL_GRACE_MIN_NANOS, 4 * c.smoothedRttNanos());
    }

    /** The watcher thread, every G after the control channel ended: see {@link #controlEnded}. */
    private void controlCheck() {
        controlChecks++;
        Connection c = conn;
        if (closed || c.state().isTerminal() || c.inputEnded()) return;
        long heard = c.lastHeardNanos();
        long iterations = c.engineIterations();
        boolean silent = heard == controlHeard && c.readableBytes() == 0;
        if (!silent || iterations - controlIterations < CONTROL_DRAIN_ITERATIONS) {
            if (!silent) {
                controlHeard = heard; // heard, or bytes to read first: a new period starts
                controlIterations = iterations;
            }
            c.wakeEngine();
            controlCheckLater(c);
            return;
        }
        rt.stats.controlPeersGone.increment();
        rt.debug("Tux: connection " + tcp + " reset: its control channel ended and the peer went silent");
        failFromControl();
    }

    /** Resets the Tux connection because of its control channel; blocked readers and writers see a reset. */
    private void failFromControl() {
        controlReset = true;
        Connection c = conn;
        if (c != null) c.abort();
        wake(reader);
        wake(writer);
        wake(nudger);
        ch.signalReadiness();
    }
}
