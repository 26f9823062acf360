package io.tux.spi;

import java.io.IOException;
import io.tux.core.stack.TuxStack;
import io.tux.core.stack.TuxUnavailableException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A socket channel of the Tux provider. It owns a JDK socket channel (the TCP connection: connect, options,
 * addresses, and the control channel once on Tux) and a swappable {@link Transport} that carries the bytes:
 * the kernel today, Tux after a successful handshake. Once connected ({@link #connect}, {@link #finishConnect},
 * the socket adaptor's connect, or accept) {@link #onEstablished()} runs once: that is where the Tux handshake
 * starts; today it records the connection as on kernel TCP with its {@link FallbackReason}.
 *
 * <p>Behaviour is the JDK's, because on the kernel path every call goes to the JDK's channel: blocking and
 * non-blocking modes, close from another thread (releases blocked threads with
 * {@code AsynchronousCloseException}), interrupts ({@code ClosedByInterruptException}, channel closed, interrupt
 * status kept), virtual threads. When the JDK closes its channel by itself (interrupt, failed connect) this
 * channel closes too before the exception reaches the caller.
 *
 * <p>{@link #socket()} returns our own adaptor ({@link TuxSocketAdaptor}) so that, as in the JDK,
 * {@code socket().getChannel() == this}; its streams, options and timeouts are the JDK adaptor's.
 *
 * <p>Threading: as {@link SocketChannel}. See the fields.
 */
public final class TuxSocketChannel extends SocketChannel implements TuxChannel {

    /** The JDK's channel: the TCP connection. Final; its own state is the JDK's (thread-safe). */
    private final SocketChannel tcp;
    private final TuxRuntime rt;
    private final Registrations registrations = new Registrations();
    /** Written by the thread that establishes the connection or switches transport; read by I/O threads. */
    private volatile Transport transport;
    /** Written once by {@link #onEstablished()} (guarded by {@link #established}) and on a transport switch. */
    private volatile FallbackReason fallbackReason;
    /** Set once, by CAS, by the thread that finishes connect or accept; read by anyone. */
    private final AtomicBoolean established = new AtomicBoolean();
    /** Set once when the handshake's outcome was counted (by the network thread). */
    private final AtomicBoolean tuxOutcome = new AtomicBoolean();
    /** Created once under {@code this} lock. */
    private TuxSocketAdaptor socket;
    /**
     * Set by {@link #onAccepted()} before {@link #onEstablished()} on the same thread; read later by the network
     * thread, after the engine's hand-over queue (which orders it).
     */
    private boolean accepted;
    /** The peer, and when the handshake started ({@link TuxRuntime#clock}); written before {@code stack.open}
     * hands the connection to the network thread (its queue orders them), read by that thread. */
    private InetSocketAddress handshakePeer;
    private long handshakeStartedAt;

    TuxSocketChannel(SelectorProvider provider, TuxRuntime rt, SocketChannel tcp) throws IOException {
        super(provider);
        this.tcp = Objects.requireNonNull(tcp);
        this.rt = rt;
        this.transport = new KernelTransport(tcp);
        if (!tcp.isBlocking()) {
            configureBlocking(false);
        }
    }

    /** The JDK channel under this one (the TCP connection). */
    SocketChannel tcp() {
        return tcp;
    }

    Transport transport() {
        return transport;
    }

    /** Which transport carries this connection's bytes now. */
    public ConnectionMode mode() {
        return transport.mode();
    }

    /**
     * Why the connection runs on kernel TCP; null while it runs on Tux, and null before the connection is
     * established.
     */
    public FallbackReason fallbackReason() {
        return transport.mode() == ConnectionMode.TUX ? null : fallbackReason;
    }

    /**
     * Called once when the connection is established. The Tux handshake starts here (paper section 3.2: over
     * the TCP connection, then cutover to the Tux transport via {@link #switchTransport}); until the transport
     * exists every connection stays on kernel TCP with the runtime's reason.
     */
    /** {@link #onEstablished()} for a connection handed out by accept: the peer is a client. */
    void onAccepted() {
        accepted = true;
        onEstablished();
    }

    void onEstablished() {
        if (!established.compareAndSet(false, true)) {
            return;
        }
        rt.stats.opened(); // counted now: the handshake below may outlive the connection or the program
        FallbackReason why = rt.reason;
        InetSocketAddress local = null;
        InetSocketAddress remote = null;
        try {
            SocketAddress l = tcp.getLocalAddress();
            SocketAddress r = tcp.getRemoteAddress();
            if (l instanceof UnixDomainSocketAddress) {
                why = FallbackReason.UNIX_DOMAIN;
            } else if (l instanceof InetSocketAddress il && r instanceof InetSocketAddress ir) {
                local = il;
                remote = ir;
            }
        } catch (IOException | RuntimeException ignored) {
            // closed meanwhile: keep the runtime's reason
        }
        if (why == null && local != null
                && rt.peers.knownNotTux(remote.getAddress(), accepted ? PeerCache.ANY_PORT : remote.getPort())) {
            recordKernel(FallbackReason.PEER_NOT_TUX, " (cached: " + (accepted ? "its address" : "it")
                    + " did not answer a handshake less than " + rt.config.peerCacheMillis() + " ms ago)");
            return;
        }
        if (why == null && local != null) {
            why = startTux(local, remote);
            if (why == null) {
                return; // the handshake runs; tuxEstablished() or tuxHandshakeFailed() records the outcome
            }
        }
        if (why == null) {
            why = FallbackReason.ENGINE_ERROR;
        }
        recordKernel(why);
    }

    /** Starts the handshake on a {@link TuxTransport}; returns null if it started, else why not. */
    private FallbackReason startTux(InetSocketAddress local, InetSocketAddress remote) {
        TuxStack stack = rt.stack();
        if (stack == null) {
            TuxUnavailableException f = rt.stackFailure();
            return f == null ? FallbackReason.ENGINE_ERROR : FallbackReasons.of(f.reason());
        }
        TuxTransport t = new TuxTransport(this, tcp, rt, stack);
        handshakePeer = remote;
        handshakeStartedAt = rt.clock.getAsLong();
        try {
            t.attach(stack.open(local, remote, 0L, t));
        } catch (TuxUnavailableException e) {
            rt.debug("Tux: connection " + tcp + " on kernel TCP: " + e.getMessage());
            return FallbackReasons.of(e.reason());
        } catch (RuntimeException | Error e) {
            rt.debug("Tux: connection " + tcp + " on kernel TCP: " + e);
            return FallbackReason.ENGINE_ERROR;
        }
        transport = t;
        registrations.transportChanged();
        return null;
    }

    private void recordKernel(FallbackReason why) {
        recordKernel(why, "");
    }

    private void recordKernel(FallbackReason why, String note) {
        fallbackReason = why;
        rt.established(ConnectionMode.KERNEL, why);
        if (rt.config.log() == TuxConfig.LogLevel.DEBUG) {
            rt.debug("Tux: connection " + tcp + " on kernel TCP: " + why + note);
        }
    }

    /** Network thread: the Tux handshake completed; the connection is counted on Tux. */
    void tuxEstablished() {
        if (tuxOutcome.compareAndSet(false, true)) {
            InetSocketAddress peer = handshakePeer;
            if (peer != null) {
                rt.peers.rememberTux(peer.getAddress(), accepted ? PeerCache.ANY_PORT : peer.getPort());
            }
            fallbackReason = null;
            rt.established(ConnectionMode.TUX, null);
            rt.debug("Tux: connection " + tcp + " on Tux");
        }
    }

    /**
     * Network thread: the handshake ended without a word from the peer. If the whole handshake timeout went by,
     * the peer does not run Tux (PEER_NOT_TUX) and is remembered as such ({@link PeerCache}); a handshake given up
     * sooner because the application closed the channel proves nothing (CLOSED_DURING_HANDSHAKE).
     */
    void tuxHandshakeFailed() {
        InetSocketAddress peer = handshakePeer;
        boolean timedOut = peer != null && rt.clock.getAsLong() - handshakeStartedAt
                >= java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(rt.config.handshakeTimeoutMillis());
        if (!timedOut && !isOpen()) {
            handshakeEndedByClose(); // the program let go before the peer had its whole timeout to answer
            return;
        }
        if (tuxOutcome.compareAndSet(false, true)) {
            if (timedOut && rt.peers.enabled()) {
                boolean remembered = rt.peers.rememberNotTux(peer.getAddress(),
                        accepted ? PeerCache.ANY_PORT : peer.getPort());
                recordKernel(FallbackReason.PEER_NOT_TUX, " (no handshake within "
                        + rt.config.handshakeTimeoutMillis() + " ms; " + (remembered ? "remembered for "
                        + rt.config.peerCacheMillis() + " ms)" : "not remembered: a handshake with it completed "
                        + "recently, so it runs Tux and was slow)"));
            } else {
                recordKernel(FallbackReason.PEER_NOT_TUX);
            }
        }
    }

    /**
     * Network thread: the handshake of {@code t} failed before the peer was heard, so no byte ever went on Tux.
     * The connection goes on with a plain {@link KernelTransport}, as if Tux had never been tried: no Tux logic on
     * its reads and writes, and the Tux transport, with its engine connection's buffers (half a MiB), becomes
     * garbage instead of living as long as the channel. A read or write already inside {@code t} finishes
     * there, on TCP (a failed Tux transport only delegates to TCP).
     *
     * @return whether the transport was switched (then the selection keys are being re-homed already)
     */
    boolean fallBackFrom(TuxTransport t) {
        if (transport != t) {
            return false;
        }
        switchTransport(new KernelTransport(tcp), fallbackReason);
        return true;
    }

    /**
     * Network thread: the handshake ended because the program closed the channel first (whether or not the peer
     * had answered): counted as {@link FallbackReason#CLOSED_DURING_HANDSHAKE}, once, and the peer is not judged.
     */
    void handshakeEndedByClose() {
        if (tuxOutcome.compareAndSet(false, true)) {
            recordKernel(FallbackReason.CLOSED_DURING_HANDSHAKE);
        }
    }

    /** The transport moved some operation's readiness between the kernel and Tux: re-home the selection keys. */
    void readinessSourcesChanged() {
        registrations.transportChanged();
        registrations.signal();
    }

    /**
     * Replaces the transport (kernel to Tux after the handshake, or back on failure) and moves this channel's
     * selection keys to the new readiness source. The caller owns the cutover's consistency: no byte may be left
     * behind in the old transport (the handshake drains it first), and a read or write in progress on the old
     * transport finishes there.
     */
    void switchTransport(Transport next, FallbackReason reasonIfKernel) {
        Transport prev = transport;
        transport = next;
        if (prev.mode() != next.mode() && established.get()) {
            if (next.mode() == ConnectionMode.TUX) {
                rt.stats.movedToTux(fallbackReason == null ? FallbackReason.NOT_IMPLEMENTED : fallbackReason);
            } else {
                rt.stats.movedToKernel(reasonIfKernel);
            }
        }
        if (next.mode() != ConnectionMode.TUX) {
            fallbackReason = reasonIfKernel;
        }
        registrations.transportChanged();
    }

    /**
     * For a transport's blocking operation, the JDK's protocol of {@code AbstractInterruptibleChannel}: call before
     * the operation may block. From then on an interrupt of the calling thread closes this channel (which closes
     * the transport: it must then release the blocked thread).
     */
    void beginBlocking() {
        begin();
    }

    /**
     * Ends what {@link #beginBlocking()} began.
     *
     * @param completed whether the operation transferred anything
     * @throws java.nio.channels.ClosedByInterruptException if the thread was interrupted (the channel is closed)
     * @throws java.nio.channels.AsynchronousCloseException if another thread closed the channel meanwhile
     */
    void endBlocking(boolean completed) throws java.nio.channels.AsynchronousCloseException {
        end(completed);
    }

    /** Counts bytes moved outside {@link #read}/{@link #write} (the socket adaptor's streams). */
    void countRead(long n) {
        count(transport, n, true);
    }

    void countWritten(long n) {
        count(transport, n, false);
    }

    /** Adds bytes moved by {@code t} to the counter of its path, unless the transport counts them itself. */
    private void count(Transport t, long n, boolean read) {
        if (n <= 0 || t.countsBytes()) {
            return;
        }
        boolean kernel = t.mode() == ConnectionMode.KERNEL;
        (read ? (kernel ? rt.stats.bytesReadKernel : rt.stats.bytesReadTux)
                : (kernel ? rt.stats.bytesWrittenKernel : rt.stats.bytesWrittenTux)).add(n);
    }

    /** Called by a Tux transport when its readiness changed: wakes the selectors this channel is registered in. */
    void signalReadiness() {
        registrations.signal();
    }

    /** After the JDK closed its channel on its own (interrupt, failed connect), close this one too. */
    void syncClose() {
        KernelChannels.closeIfClosedUnder(tcp, this);
    }

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        tcp.bind(local);
        return this;
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        tcp.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return tcp.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return tcp.supportedOptions();
    }

    @Override
    public SocketChannel shutdownInput() throws IOException {
        transport.shutdownInput();
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        transport.shutdownOutput();
        return this;
    }

    @Override
    public Socket socket() {
        synchronized (this) {
            if (socket == null) {
                try {
                    socket = new TuxSocketAdaptor(this, tcp.socket());
                } catch (java.net.SocketException e) {
                    throw new InternalError("java.net.Socket(SocketImpl) failed", e);
                }
            }
            return socket;
        }
    }

    @Override
    public boolean isConnected() {
        return tcp.isConnected();
    }

    @Override
    public boolean isConnectionPending() {
        return tcp.isConnectionPending();
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        boolean connected;
        try {
            connected = tcp.connect(remote);
        } catch (Throwable t) {
            syncClose();
            throw t;
        }
        if (connected) {
            onEstablished();
        }
        return connected;
    }

    @Override
    public boolean finishConnect() throws IOException {
        boolean connected;
        try {
            connected = tcp.finishConnect();
        } catch (Throwable t) {
            syncClose();
            throw t;
        }
        if (connected) {
            onEstablished();
        }
        return connected;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        return tcp.getRemoteAddress();
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return tcp.getLocalAddress();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Transport t = transport;
        int n;
        try {
            n = t.read(dst);
        } catch (Throwable e) {
            syncClose();
            throw e;
        }
        count(t, n, true);
        return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Transport t = transport;
        long n;
        try {
            n = t.read(dsts, offset, length);
        } catch (Throwable e) {
            syncClose();
            throw e;
        }
        count(t, n, true);
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Transport t = transport;
        int n;
        try {
            n = t.write(src);
        } catch (Throwable e) {
            syncClose();
            throw e;
        }
        count(t, n, false);
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Transport t = transport;
        long n;
        try {
            n = t.write(srcs, offset, length);
        } catch (Throwable e) {
            syncClose();
            throw e;
        }
        count(t, n, false);
        return n;
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        try {
            transport.close();
        } finally {
            tcp.close(); // releases threads blocked in the JDK channel with AsynchronousCloseException
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        if (block) {
            registrations.cancelInnerKeysOfCancelled();
        }
        if (!(transport instanceof TuxTransport t && t.controlWatched())) {
            tcp.configureBlocking(block); // a watched control channel stays non-blocking (TuxTransport.maybeWatch)
        }
    }

    @Override
    public SelectableChannel kernelSelectable() {
        return transport.selectable();
    }

    @Override
    public TuxReadiness readiness() {
        return transport.readiness();
    }

    @Override
    public int kernelOps() {
        return transport.kernelOps();
    }

    @Override
    public Registrations registrations() {
        return registrations;
    }

    @Override
    public String toString() {
        return tcp.toString();
    }
}
