package io.tux.spi;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionListener;
import io.tux.core.engine.ConnectionState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
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
 * never reach the application. A TCP end of stream is the real end unless the peer runs Tux and may have cut
 * over: then X or the Tux stream's end decides.
 *
 * <p><b>Readiness.</b> While a direction is on TCP its selection readiness comes from the kernel (the selector
 * keeps the TCP channel registered for {@link #kernelOps()}); once on Tux it is polled ({@link #readiness()}).
 *
 * <p>If the handshake fails (the peer never answered: it does not run Tux), neither direction was cut over and
 * the transport behaves as the kernel's for good ({@link #mode()} is then KERNEL).
 *
 * <p>Threading: reads are serialised by {@link #readLock}, writes by {@link #writeLock}; the fields say who
 * writes and reads them. The network thread only calls the listener, which unparks waiters and signals
 * selectors.
 */
final class TuxTransport implements Transport, ConnectionListener {
    /** The control byte sent on TCP after X was acknowledged. */
    static final byte NUDGE = 1;

    private final TuxSocketChannel ch;
    private final SocketChannel tcp;
    private final TuxRuntime rt;
    /** Set once by {@link #attach} before the transport is installed; the handshake's connection. */
    private volatile Connection conn;

    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();

    // ---- send side: written under writeLock, read by anyone through the volatile ----
    /** Application bytes written on TCP; under writeLock. */
    private long tcpWritten;
    /** Written under writeLock when the send direction moves to Tux; read by anyone. */
    private volatile boolean sendOnTux;

    // ---- receive side: written under readLock ----
    /** Application bytes read from TCP; under readLock. */
    private long tcpRead;
    /** The peer's X, or -1 while unknown; under readLock. */
    private long x = -1;
    /** Written under readLock when the receive direction moves to Tux; read by anyone. */
    private volatile boolean receiveOnTux;
    /** Written under readLock when TCP reported its end before X was known; read by anyone. */
    private volatile boolean tcpEnded;
    private final ByteBuffer header = ByteBuffer.allocate(8);

    /** Written by the network thread when the handshake failed (volatile); read by anyone. */
    private volatile boolean failed;
    /** Written by close (any thread); read by waiters. */
    private volatile boolean closed;
    /** Threads waiting for Tux readiness: set by the waiter before it re-checks and parks, read by the listener. */
    private volatile Thread reader;
    private volatile Thread writer;
    private volatile Thread nudger;

    private final TuxReadiness readiness = this::polledOps;

    TuxTransport(TuxSocketChannel ch, SocketChannel tcp, TuxRuntime rt) {
        this.ch = ch;
        this.tcp = tcp;
        this.rt = rt;
    }

    void attach(Connection c) {
        this.conn = c;
    }

    Connection connection() {
        return conn;
    }

    // ---------------------------------------------------------------- listener (network thread)

    @Override
    public void onReadable(Connection c) {
        wake(reader);
        ch.signalReadiness();
    }

    @Override
    public void onWritable(Connection c) {
        wake(writer);
        wake(nudger);
        ch.signalReadiness();
    }

    @Override
    public void onStateChanged(Connection c, ConnectionState s) {
        if (s == ConnectionState.ESTABLISHED) {
            ch.tuxEstablished();
            startCutover();
        } else if (s == ConnectionState.HANDSHAKE_FAILED && !c.peerHeard()) {
            failed = true;
            ch.tuxHandshakeFailed();
            ch.readinessSourcesChanged();
        }
        wake(reader);
        wake(writer);
        wake(nudger);
        ch.signalReadiness();
    }

    private static void wake(Thread t) {
        if (t != null) LockSupport.unpark(t);
    }

    /** Cuts the send direction over at once, so that the peer learns X even if this end never writes. */
    private void startCutover() {
        try {
            Thread.ofVirtual().name("tux-cutover").start(() -> {
                writeLock.lock();
                try {
                    if (!sendOnTux && !closed) cutover();
                } catch (IOException e) {
                    // the connection failed meanwhile; reads and writes report it
                } finally {
                    writeLock.unlock();
                }
            });
        } catch (Throwable t) {
            // no virtual thread (out of memory...): the first write cuts over instead
        }
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public ConnectionMode mode() {
        return failed ? ConnectionMode.KERNEL : conn != null && conn.state() == ConnectionState.ESTABLISHED
                || sendOnTux || receiveOnTux ? ConnectionMode.TUX : ConnectionMode.KERNEL;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (inputShut) return -1;
        readLock.lock();
        try {
            for (;;) {
                if (inputShut) return -1;
                if (receiveOnTux) return readTux(dst);
                learnX();
                if (x >= 0 && tcpRead >= x) {
                    moveReceiveToTux();
                    continue;
                }
                if (tcpEnded) {
                    int r = resolveTcpEnd();
                    if (r != 1) return r;
                    continue;
                }
                int n = readTcp(dst);
                if (n == -2) continue; // only control bytes: the receive side moves to Tux
                if (n == -1) {
                    if (failed || conn == null || !conn.peerHeard()) return -1;
                    tcpEnded = true;
                    ch.readinessSourcesChanged();
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
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                long n = read(dsts[i]);
                if (n <= 0) return n;
                long total = n;
                // fill further buffers only with what is at hand, never blocking for them
                for (int j = i + 1; j < offset + length && !dsts[i].hasRemaining() && receiveOnTux; j++, i++) {
                    int m = conn.read(dsts[j]);
                    if (m <= 0) break;
                    total += m;
                }
                return total;
            }
        }
        return 0;
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
    }

    /**
     * TCP ended before X was known, and the peer runs Tux: X in the Tux stream means it cut over (continue on
     * Tux); the Tux stream's end or failure without X means it never did (the real end).
     *
     * @return 1 to continue reading, -1 for the end, 0 when undecided and not blocking
     */
    private int resolveTcpEnd() throws IOException {
        boolean blocking = ch.isBlocking();
        boolean completed = false;
        if (blocking) ch.beginBlocking();
        try {
            for (;;) {
                learnX();
                if (x >= 0) {
                    if (x != tcpRead) throw new IOException("Tux cutover: TCP ended at " + tcpRead + ", the peer sent " + x);
                    moveReceiveToTux();
                    completed = true;
                    return 1;
                }
                Connection c = conn;
                ConnectionState s = c.state();
                if (s.isTerminal() || (c.readableBytes() == 0 && c.isReadable())) {
                    completed = true;
                    return -1;
                }
                if (!blocking) return 0;
                if (closed || !ch.isOpen()) return 0; // endBlocking throws AsynchronousCloseException
                reader = Thread.currentThread();
                if (c.readableBytes() < 8 && !c.isReadable()) LockSupport.park(this);
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
        if (x < 0) {
            learnX(); // the nudge is sent only after X was acknowledged: if it came, X is here now
            if (x >= 0 && tcpRead + n > x) {
                int app = (int) (x - tcpRead);
                checkControl(dst, start + app, n - app);
                dst.position(start + app);
                n = app;
            }
        }
        tcpRead += n;
        return n == 0 ? -2 : n;
    }

    private static void checkControl(ByteBuffer dst, int from, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            if (dst.get(from + i) != NUDGE) {
                throw new IOException("Tux cutover: unexpected control byte " + dst.get(from + i) + " on TCP after X");
            }
        }
    }

    private int readTux(ByteBuffer dst) throws IOException {
        Connection c = conn;
        int n = c.read(dst);
        if (n != 0 || !dst.hasRemaining() || !ch.isBlocking()) return n;
        boolean completed = false;
        ch.beginBlocking();
        try {
            for (;;) {
                if (spinFor(c, true)) {
                    n = c.read(dst);
                    if (n != 0) {
                        completed = true;
                        return n;
                    }
                }
                if (closed || !ch.isOpen()) return 0; // endBlocking throws
                reader = Thread.currentThread();
                if (!c.isReadable()) LockSupport.park(this);
                reader = null;
                n = c.read(dst);
                if (n != 0) {
                    completed = true;
                    return n;
                }
            }
        } finally {
            reader = null;
            ch.endBlocking(completed);
        }
    }

    /** Polls for up to the configured budget; true if the connection became ready. */
    private boolean spinFor(Connection c, boolean read) {
        long budget = rt.config.pollBudgetMicros() * 1000L;
        long end = System.nanoTime() + budget;
        do {
            if (read ? c.isReadable() : c.isWritable()) return true;
            if (budget == 0) return false;
            Thread.onSpinWait();
        } while (System.nanoTime() - end < 0 && !closed);
        return false;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        writeLock.lock();
        try {
            if (!sendOnTux) {
                Connection c = conn;
                if (c != null && !failed && c.state() == ConnectionState.ESTABLISHED) {
                    cutover();
                } else {
                    int n = tcp.write(src);
                    if (n > 0) tcpWritten += n;
                    return n;
                }
            }
            return writeTux(src);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (!srcs[i].hasRemaining()) continue;
            int n = write(srcs[i]);
            total += n;
            if (srcs[i].hasRemaining()) break; // the send buffer is full: as much as fits, like the JDK
        }
        return total;
    }

    /** Under writeLock: X goes first on the Tux stream, then everything else. */
    private void cutover() throws IOException {
        header.clear();
        ByteBuffer hx = ByteBuffer.allocate(8).putLong(0, tcpWritten);
        if (conn.write(hx) != 8) throw new IOException("Tux cutover: no room for X in a fresh send buffer");
        sendOnTux = true;
        ch.readinessSourcesChanged();
        startNudge();
    }

    private int writeTux(ByteBuffer src) throws IOException {
        Connection c = conn;
        int total = c.write(src);
        if (!src.hasRemaining() || !ch.isBlocking()) return total;
        boolean completed = false;
        ch.beginBlocking();
        try {
            // A blocking write writes everything, as the JDK's does.
            while (src.hasRemaining()) {
                if (closed || !ch.isOpen()) return total; // endBlocking throws
                if (!spinFor(c, false)) {
                    writer = Thread.currentThread();
                    if (!c.isWritable()) LockSupport.park(this);
                    writer = null;
                }
                total += c.write(src);
            }
            completed = true;
            return total;
        } finally {
            writer = null;
            ch.endBlocking(completed || total > 0);
        }
    }

    /** After X was acknowledged, one control byte on TCP wakes a peer blocked in a TCP read. */
    private void startNudge() {
        try {
            Thread.ofVirtual().name("tux-nudge").start(() -> {
                Connection c = conn;
                nudger = Thread.currentThread();
                try {
                    while (c.acknowledgedBytes() < 8 && !c.state().isTerminal() && !closed) {
                        LockSupport.park(this);
                    }
                    if (c.acknowledgedBytes() < 8 || closed) return;
                    ByteBuffer b = ByteBuffer.wrap(new byte[] {NUDGE});
                    for (int tries = 0; b.hasRemaining() && !closed && tcp.isOpen() && tries < 100_000; tries++) {
                        if (tcp.write(b) == 0) LockSupport.parkNanos(this, 1_000_000); // non-blocking and full
                    }
                } catch (IOException | RuntimeException e) {
                    // the TCP connection is gone: nothing to nudge
                } finally {
                    nudger = null;
                }
            });
        } catch (Throwable t) {
            // without the nudge a peer blocked in a TCP read with nothing more to come would wait: log it
            rt.debug("Tux: no nudge thread: " + t);
        }
    }

    /**
     * As the JDK's: later reads return -1 at once. The peer is not told (TCP does not tell it either); what it
     * sends on Tux is acknowledged and dropped.
     */
    @Override
    public void shutdownInput() throws IOException {
        tcp.shutdownInput();
        inputShut = true;
        wake(reader);
    }

    /** Written by shutdownInput (any thread), read by readers. */
    private volatile boolean inputShut;

    @Override
    public void shutdownOutput() throws IOException {
        writeLock.lock();
        try {
            if (sendOnTux) {
                conn.shutdownOutput();
            } else {
                tcp.shutdownOutput();
                Connection c = conn;
                if (c != null) c.shutdownOutput(); // a Tux stream with no X: the peer reads TCP to its end
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public SelectableChannel selectable() {
        return failed ? tcp : kernelOps() != 0 ? tcp : null;
    }

    @Override
    public TuxReadiness readiness() {
        return failed ? null : readiness;
    }

    @Override
    public int kernelOps() {
        if (failed) return KERNEL_ALL;
        int ops = SelectionKey.OP_CONNECT;
        if (!receiveOnTux && !tcpEnded) ops |= SelectionKey.OP_READ;
        if (!sendOnTux) ops |= SelectionKey.OP_WRITE;
        return ops;
    }

    /** The operations whose readiness comes from Tux (the complement of {@link #kernelOps()}). */
    private int polledOps() {
        Connection c = conn;
        if (c == null || failed) return 0;
        int ops = 0;
        if (receiveOnTux || tcpEnded) {
            if (inputShut || c.isReadable()) ops |= SelectionKey.OP_READ;
        } else if (c.readableBytes() >= 8) {
            ops |= SelectionKey.OP_READ; // X arrived: the next read moves on, or ends the TCP part
        }
        if (sendOnTux && c.isWritable()) ops |= SelectionKey.OP_WRITE;
        return ops;
    }

    /** The channel's own stream (SO_TIMEOUT is not honoured on this transport yet). */
    @Override
    public InputStream inputStream() {
        return java.nio.channels.Channels.newInputStream(ch);
    }

    @Override
    public OutputStream outputStream() {
        return java.nio.channels.Channels.newOutputStream(ch);
    }

    @Override
    public void close() {
        closed = true;
        Connection c = conn;
        if (c != null) c.close();
        wake(reader);
        wake(writer);
        wake(nudger);
    }
}
