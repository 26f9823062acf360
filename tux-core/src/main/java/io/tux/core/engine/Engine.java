package io.tux.core.engine;

import static io.tux.core.packet.TuxHeader.*;

import io.tux.core.buffer.ByteRing;
import io.tux.core.engine.EngineCounters.Counter;
import io.tux.core.link.Link;
import io.tux.core.link.PacketSink;
import io.tux.core.packet.DropReason;
import io.tux.core.packet.Handshake;
import io.tux.core.packet.PacketCodec;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The Tux network loop over one {@link Link}: the network thread calls {@link #doWork()} over and over and
 * thereby drives every connection on the link. Each iteration (paper, Figure 8) takes new connections
 * from other threads, polls a batch of received packets (read-path batching), runs the protocol, lets every
 * connection send what it has (new data, retransmissions, acknowledgments), and pushes the whole batch out with
 * one flush (write-path batching; where the link allows, the flush and the next poll share a kernel call).
 *
 * <p><b>Who drives.</b> Handing a packet from one thread to another costs far more here than moving it (NOTES.md:
 * a wake-up is tens of microseconds, a packet a few), so an application thread that waits for one of this
 * engine's connections does not only wait for the network thread: it runs the loop itself ({@link #drive()},
 * between {@link #beginPolling()} and {@link #endPolling}), and so does a thread that writes to an idle
 * connection ({@link #kick(Connection)}). One thread at a time drives: {@link #drive()} takes the loop with a CAS and
 * gives it back with a release store, which orders one driver's writes to the loop's state before the next
 * driver's reads. The network thread remains the driver of last resort: it keeps the timers and serves packets
 * while nobody else polls; while an application thread polls, arriving packets do not wake it.
 *
 * <p>Threading: {@link #open}, {@link #wakeup()}, {@link #drive()}, {@link #kick(Connection)}, the polling pair and
 * {@link #counters()} may be called from any thread; everything else belongs to the driver (the thread inside
 * {@link #drive()}, or the network thread in {@link #idle}; single-threaded simulations call {@link #doWork()}
 * directly). Packets are never allocated: they are read in place from the link and assembled in place in the link's
 * transmit memory ({@link Link#claim}); only the rare handshake goes through a scratch buffer.
 */
public final class Engine implements PacketSink {
    /** The driver token's value once {@link #retire} took the loop for good. */
    private static final int RETIRED = 2;
    private static final VarHandle SLEEPING;
    private static final VarHandle DRIVER;
    private static final VarHandle POLLERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SLEEPING = l.findVarHandle(Engine.class, "sleeping", boolean.class);
            DRIVER = l.findVarHandle(Engine.class, "driver", int.class);
            POLLERS = l.findVarHandle(Engine.class, "pollers", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** An ACK's optional payload: 64 bits of selective acknowledgment. */
    static final int SACK_LENGTH = 8;
    /** Silence after which an idle connection probes its peer. */
    static final long KEEPALIVE_IDLE_NANOS = 2_000_000_000L;
    /** The first interval between unanswered probes (then doubling, up to four times it). */
    static final long KEEPALIVE_INTERVAL_NANOS = 1_000_000_000L;
    /** Unanswered probes after which the peer is gone. */
    static final int KEEPALIVE_PROBES = 5;
    private static final DropReason[] DROP_REASONS = DropReason.values();
    private static final long HANDSHAKE_FIRST_RETRY_NANOS = 200_000;
    private static final long HANDSHAKE_MAX_RETRY_NANOS = 100_000_000;
    /**
     * The longest the network thread sleeps after another thread drove the loop: that thread may have armed
     * timers (a delayed ACK, a retransmission) that the network thread did not see; they then fire at most this
     * late, below the smallest retransmission timeout, so no peer retransmits for it.
     */
    static final long SHARED_SLEEP_NANOS = 1_000_000;

    final EngineCounters counters = new EngineCounters();
    private final Link link;
    private final EngineConfig config;
    private final NanoClock clock;
    private final SplittableRandom random;
    private final int maxPayload;
    private final MemorySegment scratch;

    /** Written by any thread (open), drained by the network thread: the queue is the hand-over. */
    private final ConcurrentLinkedQueue<Connection> opening = new ConcurrentLinkedQueue<>();

    // ---- driver only (see the class comment) ----
    private Connection[] byId = new Connection[64];
    private int nextId = 1;
    private int[] freeIds = new int[16];
    private int freeIdCount;
    private Connection[] byRoute = new Connection[64];
    private Connection[] active = new Connection[64];
    private int activeCount;
    private long now;

    /**
     * Written by the network thread (true before it sleeps, false after), read by application threads after a
     * full fence that follows their publication of new work: with the network thread's own full fence between
     * setting it and re-checking for work, one of the two always sees the other (Dekker).
     */
    @SuppressWarnings("unused")
    private volatile boolean sleeping;
    /** Written once by the network thread when it starts (volatile), read by threads that wake it. */
    private volatile Thread networkThread;
    /**
     * 0: nobody runs the loop; 1: a thread is inside {@link #drive()} (or {@link #idle}); {@link #RETIRED}: taken
     * for good by {@link #retire()}. Taken by CAS (a volatile read-modify-write: acquire) by any thread, given back
     * by the same thread with a release store: everything a driver wrote to the loop's state happens-before the
     * next driver reads it.
     */
    @SuppressWarnings("unused")
    private volatile int driver;
    /**
     * Application threads polling now (between beginPolling and endPolling): changed atomically by them, read by
     * the network thread when it chooses how to sleep (while one polls, arriving packets need not wake it).
     */
    @SuppressWarnings("unused")
    private volatile int pollers;
    /**
     * Set (volatile) by an application thread after it drove the loop; read and cleared by the network thread
     * when it plans its sleep: someone else drove, so timers it does not know of may be armed.
     */
    private volatile boolean othersDrove;
    /**
     * Written by the network thread (volatile): true while it sleeps longer than {@link #SHARED_SLEEP_NANOS};
     * read by an application thread after it drove (and after its write of othersDrove, full fence between):
     * then it wakes the network thread so that it re-plans with the shorter bound.
     */
    private volatile boolean sleepingLong;

    public Engine(Link link, EngineConfig config, NanoClock clock, long seed) {
        this.link = link;
        this.config = config;
        this.clock = clock;
        this.random = new SplittableRandom(seed);
        this.maxPayload = link.mtu() - LENGTH;
        if (maxPayload < 64) throw new IllegalArgumentException("link MTU too small for Tux: " + link.mtu());
        this.scratch = MemorySegment.ofArray(new byte[link.mtu()]);
    }

    /** An engine on the system clock whose tokens and sequence numbers come from a secure seed. */
    public Engine(Link link, EngineConfig config) {
        this(link, config, NanoClock.SYSTEM, new SecureRandom().nextLong());
    }

    public EngineCounters counters() { return counters; }

    public EngineConfig config() { return config; }

    public Link link() { return link; }

    /**
     * Starts a connection on {@code route}: the handshake begins on the next loop iteration. Any thread.
     *
     * @param appData 64 bits handed to the peer in the handshake (see {@link Connection#remoteAppData()})
     */
    public Connection open(int route, Mode mode, long appData, ConnectionListener listener) {
        if (route < 0) throw new IllegalArgumentException("route must be >= 0: " + route);
        long token;
        int isn;
        synchronized (random) { // control path only: one open per connection
            do token = random.nextLong(); while (token == 0);
            isn = random.nextInt();
        }
        Connection c = new Connection(this, route, mode, listener == null ? ConnectionListener.NONE : listener,
                token, isn, appData, config, maxPayload);
        opening.add(c);
        wakeup();
        return c;
    }

    /** The time of the current loop iteration (network thread). */
    long now() { return now; }

    /** Connections the network thread currently drives. */
    public int connectionCount() { return activeCount; }

    // ---------------------------------------------------------------- the loop

    /**
     * One iteration of the network loop on the calling thread, as {@link #drive()}; 0 also when another thread
     * drives now (or the caller is a listener inside an iteration: iterations never nest).
     *
     * @return a measure of the work done; 0 means nothing happened
     */
    public int doWork() {
        return Math.max(0, drive());
    }

    /** One iteration; the caller holds the driver. */
    private int runLoop() {
        now = clock.nanoTime();
        counters.increment(Counter.LOOP_ITERATIONS);
        int work = takeNewConnections();
        work += link.poll(this, config.rxBatch());
        for (int i = 0; i < activeCount; i++) {
            Connection c = active[i];
            work += service(c);
            if (shouldRemove(c)) {
                remove(c, i);
                i--;
            }
        }
        link.flush();
        // Dekker with waiting application threads: our ring publications (release stores) must be visible
        // before we read who waits (the listeners read volatile waiter fields); a waiter publishes itself
        // before it re-checks the ring. Without a full fence the two can miss each other (store-load).
        VarHandle.fullFence();
        for (int i = 0; i < activeCount; i++) notify(active[i]);
        return work;
    }

    /** The earliest time a timer of some connection fires (for the idle strategy); Long.MAX_VALUE if none. */
    public long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (int i = 0; i < activeCount; i++) {
            Connection c = active[i];
            ConnectionState s = c.statePlain();
            if (s == ConnectionState.HANDSHAKING) {
                d = Math.min(d, c.remoteKnown ? c.handshakeNextSend
                        : Math.min(c.handshakeNextSend, c.openedAt + config.handshakeTimeoutNanos()));
            } else if (!s.isTerminal()) {
                d = Math.min(d, c.send.rtoDeadline);
                if (!c.send.hasUnacked()) {
                    d = Math.min(d, c.keepaliveAt == Long.MAX_VALUE ? c.lastHeardAt + KEEPALIVE_IDLE_NANOS : c.keepaliveAt);
                }
                if (c.receive.ackPending) d = Math.min(d, c.receive.ackPendingSince + ReceivePath.ACK_DELAY_NANOS);
            }
            d = Math.min(d, c.closeDeadline);
        }
        return d;
    }

    /**
     * Runs one iteration of the loop on the calling thread unless another thread runs it now. Any thread; must
     * not be called from a listener (it would find the loop taken and return -1).
     *
     * @return the work done as {@link #doWork()} counts it, or -1 if another thread drives now
     */
    public int drive() {
        if (!DRIVER.compareAndSet(this, 0, 1)) return -1;
        int work;
        try {
            work = runLoop();
        } finally {
            DRIVER.setRelease(this, 0);
        }
        droveElsewhere(work);
        return work;
    }

    /**
     * Takes the loop away for good, so that its link can be closed under it: waits (at most {@code maxNanos}) until
     * no thread runs the loop, then keeps the driver token; from then on {@link #drive()} returns -1 and
     * {@link #kick} only wakes (a no-op on a closed link). The caller stops the network thread first ({@link #idle}
     * waits on the link: it must not run any more); application threads that still hold a connection of this engine
     * may call in at any time and never touch the link again. Any thread.
     *
     * @return true if the loop is retired (also when it was already), false if a driver did not let go in time
     */
    public boolean retire(long maxNanos) {
        long start = System.nanoTime();
        for (int turn = 1; ; turn++) {
            int d = (int) DRIVER.getVolatile(this);
            if (d == RETIRED) return true;
            if (d == 0 && DRIVER.compareAndSet(this, 0, RETIRED)) return true;
            if (System.nanoTime() - start > maxNanos) return false;
            SpinPause.pause(turn);
        }
    }

    /** Whether {@link #retire} took the loop away. */
    public boolean retired() {
        return (int) DRIVER.getVolatile(this) == RETIRED;
    }

    /** After another thread than the network thread drove: make sure the network thread sees timers it armed. */
    private void droveElsewhere(int work) {
        if (work > 0 && Thread.currentThread() != networkThread) {
            othersDrove = true;
            VarHandle.fullFence(); // Dekker with the network thread: sleepingLong set, then othersDrove read
            if (sleepingLong) wakeup();
        }
    }

    /**
     * An application thread handed over work on {@code c} that should go out now (the first write to an idle
     * connection): if the loop is free, the caller services that one connection and flushes, so that the packet
     * leaves without a thread hand-off; else makes sure the network thread sees it. Only {@code c}: a selector
     * thread that answers 64 connections one after the other would otherwise run 64 whole iterations over 64
     * connections (measured: a third of such a client's samples were in those iterations); received packets and
     * the other connections wait for the next full iteration, which the writer's own wait or the network thread
     * runs within microseconds.
     */
    public void kick(Connection c) {
        if (!DRIVER.compareAndSet(this, 0, 1)) {
            wakeup();
            return;
        }
        int work;
        try {
            if (c.localId == 0 || c.localId >= byId.length || byId[c.localId] != c) {
                work = runLoop(); // not taken in yet: a whole iteration takes it in
            } else {
                now = clock.nanoTime();
                work = service(c);
                link.flush();
                VarHandle.fullFence(); // as in runLoop: our publications before the listener reads its waiters
                notify(c);
            }
        } finally {
            DRIVER.setRelease(this, 0);
        }
        droveElsewhere(work);
    }

    /** The calling application thread is about to poll this engine by calling {@link #drive()} in a loop. */
    public void beginPolling() {
        POLLERS.getAndAdd(this, 1);
    }

    /**
     * The calling thread stopped polling. If it is about to sleep ({@code sleeping}) and was the last poller, the
     * network thread is woken so that arriving packets wake it again.
     */
    public void endPolling(boolean sleeping) {
        int left = (int) POLLERS.getAndAdd(this, -1) - 1;
        if (left == 0 && sleeping) wakeup();
    }

    /** Application threads polling now. */
    public int pollers() {
        return (int) POLLERS.getVolatile(this);
    }

    /**
     * Lets the network thread sleep for at most {@code maxNanos} (less if a timer is due sooner) unless work
     * arrives; an application thread that hands over work calls {@link #wakeup()}. Network thread only. While
     * application threads poll (or just drove), it sleeps at most {@link #SHARED_SLEEP_NANOS} and arriving
     * packets do not wake it: the pollers serve them.
     *
     * @return the work done by the re-check before sleeping (0 if it slept)
     */
    public int idle(long maxNanos) {
        if (networkThread != Thread.currentThread()) networkThread = Thread.currentThread();
        SLEEPING.setVolatile(this, true);
        VarHandle.fullFence();
        int work = 0;
        long wait;
        boolean shared = othersDrove;
        if (shared) othersDrove = false;
        if (DRIVER.compareAndSet(this, 0, 1)) {
            long deadline = Long.MAX_VALUE;
            try {
                work = runLoop();
                if (work == 0) deadline = nextDeadline();
            } finally {
                DRIVER.setRelease(this, 0);
            }
            wait = Math.min(maxNanos, deadline == Long.MAX_VALUE ? maxNanos : deadline - clock.nanoTime());
        } else {
            shared = true; // a poller runs the loop now: it serves what arrives
            wait = maxNanos;
        }
        if (work == 0 && wait > 0) {
            boolean polled = pollers() > 0;
            if (shared || polled) wait = Math.min(wait, SHARED_SLEEP_NANOS);
            boolean longSleep = wait > SHARED_SLEEP_NANOS;
            if (longSleep) {
                sleepingLong = true;
                VarHandle.fullFence();
                if (othersDrove) wait = SHARED_SLEEP_NANOS; // a driver came between: it may not have seen the flag
            }
            link.await(wait, !polled);
            if (longSleep) sleepingLong = false;
        }
        SLEEPING.setVolatile(this, false);
        return work;
    }

    /**
     * Wakes the network thread if it sleeps in {@link #idle}, unless an application thread polls while the
     * network thread's sleep is short (the poller runs the loop again within microseconds and serves the work;
     * if it stops polling meanwhile, the network thread wakes within {@link #SHARED_SLEEP_NANOS} anyway). Any
     * thread; cheap when it is awake or others poll.
     */
    public void wakeup() {
        VarHandle.fullFence();
        if ((boolean) SLEEPING.getVolatile(this) && ((int) POLLERS.getVolatile(this) == 0 || sleepingLong)) {
            Thread t = networkThread;
            if (t != null) link.wakeup(t);
        }
    }

    private int takeNewConnections() {
        int n = 0;
        for (Connection c; (c = opening.poll()) != null; n++) {
            c.localId = allocateId();
            byId = grow(byId, c.localId);
            byId[c.localId] = c;
            byRoute = grow(byRoute, c.route);
            Connection old = byRoute[c.route];
            if (old != null && !old.statePlain().isTerminal()) {
                // Another live connection owns this address pair: this one can never be told apart from it.
                c.openedAt = now;
                c.setState(ConnectionState.HANDSHAKE_FAILED);
                c.terminalAt = now;
                counters.increment(Counter.HANDSHAKES_FAILED);
            } else {
                byRoute[c.route] = c;
                c.openedAt = now;
                c.handshakeNextSend = now;
                c.handshakeInterval = HANDSHAKE_FIRST_RETRY_NANOS;
            }
            if (activeCount == active.length) active = Arrays.copyOf(active, activeCount * 2);
            active[activeCount++] = c;
        }
        return n;
    }

    private int allocateId() {
        return freeIdCount > 0 ? freeIds[--freeIdCount] : nextId++;
    }

    private static Connection[] grow(Connection[] a, int index) {
        if (index < a.length) return a;
        return Arrays.copyOf(a, Math.max(a.length * 2, index + 1));
    }

    private boolean shouldRemove(Connection c) {
        ConnectionState s = c.statePlain();
        // A handshake that failed leaves nothing to do: the connection goes at once (its application keeps
        // using TCP); any other ended connection goes once its application let go of it.
        return s == ConnectionState.HANDSHAKE_FAILED || (c.closeRequested && s.isTerminal());
    }

    private void remove(Connection c, int index) {
        notify(c);
        active[index] = active[--activeCount];
        active[activeCount] = null;
        byId[c.localId] = null;
        if (freeIdCount == freeIds.length) freeIds = Arrays.copyOf(freeIds, freeIdCount * 2);
        freeIds[freeIdCount++] = c.localId;
        if (byRoute[c.route] == c) byRoute[c.route] = null;
        try {
            c.listener.onRemoved(c);
        } catch (RuntimeException | Error e) {
            // a listener bug must not stop the network loop
        }
    }

    private void notify(Connection c) {
        int ev = c.events;
        if (ev == 0) return;
        c.events = 0;
        try {
            if ((ev & Connection.EVENT_STATE) != 0) c.listener.onStateChanged(c, c.statePlain());
            if ((ev & Connection.EVENT_READABLE) != 0) c.listener.onReadable(c);
            if ((ev & Connection.EVENT_WRITABLE) != 0) c.listener.onWritable(c);
        } catch (RuntimeException | Error e) {
            // A listener bug must not stop the network loop; the listener owner sees its own failure.
        }
    }

    private void terminate(Connection c, ConnectionState s) {
        c.setState(s);
        if (c.terminalAt == Long.MAX_VALUE) c.terminalAt = now;
    }

    /** Everything one connection does in one iteration after the received batch was processed. */
    private int service(Connection c) {
        ConnectionState s = c.statePlain();
        if (s.isTerminal()) return 0;
        if (c.abortRequested) {
            // Once we hold the peer's parameters it may be established (even cut over) although we are not: tell it,
            // or it waits for us until its timers give up (connections piled up in the connect benchmark's peer).
            if ((s == ConnectionState.ESTABLISHED || c.remoteKnown) && sendControl(c, TYPE_RESET)) {
                counters.increment(Counter.RESETS_SENT);
            }
            terminate(c, s == ConnectionState.HANDSHAKING ? ConnectionState.HANDSHAKE_FAILED : ConnectionState.ABORTED);
            return 1;
        }
        if (s == ConnectionState.HANDSHAKING) return serviceHandshake(c);
        int work = 0;
        if (c.handshakeReplyDue) {
            sendHandshake(c);
            work++;
        }
        work += c.receive.retryBlocked(this);
        int t = c.send.onTimer(this, now);
        if (t < 0) {
            counters.increment(Counter.CONNECTIONS_TIMED_OUT);
            terminate(c, ConnectionState.TIMED_OUT);
            return 1;
        }
        work += t;
        work += c.send.sendNew(this, now);
        c.send.armPersistIfNeeded(now);
        if (keepalive(c)) {
            counters.increment(Counter.CONNECTIONS_TIMED_OUT);
            terminate(c, ConnectionState.TIMED_OUT);
            return 1;
        }
        if (c.receive.ackDue(now)) {
            sendControl(c, TYPE_ACK);
            work++;
        }
        if (c.send.finAcked && c.receive.eof && s == ConnectionState.ESTABLISHED) terminate(c, ConnectionState.CLOSED);
        if (c.closeRequested && c.send.finAcked && c.closeDeadline == Long.MAX_VALUE) {
            // Our end is done and the application let go: wait a bounded time for the peer's FIN (TCP's FIN_WAIT_2).
            c.closeDeadline = now + config.lingerNanos();
        } else if (now >= c.closeDeadline) {
            terminate(c, ConnectionState.CLOSED);
        }
        return work;
    }

    /**
     * Keepalive: a connection that heard nothing for {@link #KEEPALIVE_IDLE_NANOS} while nothing of ours is in
     * flight asks for an ACK (PROBE), at growing intervals; a peer that answered none of
     * {@link #KEEPALIVE_PROBES} probes is gone (its process died: no FIN or reset will ever come on Tux), and the
     * connection times out instead of leaving a reader waiting forever.
     *
     * @return true if the peer is to be declared gone
     */
    private boolean keepalive(Connection c) {
        if (c.send.hasUnacked()) {
            c.keepaliveProbes = 0; // the retransmission timer watches the peer
            c.keepaliveAt = Long.MAX_VALUE;
            return false;
        }
        if (c.keepaliveAt == Long.MAX_VALUE) c.keepaliveAt = c.lastHeardAt + KEEPALIVE_IDLE_NANOS;
        if (now < c.keepaliveAt) return false;
        if (c.keepaliveProbes >= KEEPALIVE_PROBES) return true;
        if (sendControl(c, TYPE_PROBE)) counters.increment(Counter.PROBES_SENT);
        c.keepaliveProbes++;
        c.keepaliveAt = now + (KEEPALIVE_INTERVAL_NANOS << Math.min(c.keepaliveProbes - 1, 2));
        return false;
    }

    /** Heard from the peer: the keepalive starts over. */
    private void heard(Connection c) {
        c.lastHeardAt = now;
        c.keepaliveProbes = 0;
        c.keepaliveAt = Long.MAX_VALUE;
    }

    private int serviceHandshake(Connection c) {
        // The timeout applies only while the peer has said nothing: once its handshake arrived it runs Tux, and
        // it may already send on Tux (it switches as soon as it is established), so this end must never give
        // up receiving; it keeps answering until established or closed.
        long giveUpAfter = c.handshakeGiveUpAfter;
        if (giveUpAfter != 0 && c.handshakeGiveUpAt == Long.MAX_VALUE) c.handshakeGiveUpAt = now + giveUpAfter;
        if (c.closeRequested || (!c.remoteKnown && now - c.openedAt >= config.handshakeTimeoutNanos())
                || now >= c.handshakeGiveUpAt) {
            // The application let go before the handshake completed (nothing of ours went on Tux, and nobody
            // reads any more), the peer never answered, or the application bounded a handshake whose peer it
            // knows to be gone (Connection.giveUpHandshakeAfter): give the handshake up.
            counters.increment(Counter.HANDSHAKES_FAILED);
            terminate(c, ConnectionState.HANDSHAKE_FAILED);
            return 1;
        }
        if (c.handshakeReplyDue || now >= c.handshakeNextSend) {
            sendHandshake(c);
            c.handshakeNextSend = now + c.handshakeInterval;
            c.handshakeInterval = Math.min(HANDSHAKE_MAX_RETRY_NANOS, c.handshakeInterval * 2);
            return 1;
        }
        return 0;
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public void onPacket(int route, MemorySegment s, long off, int len) {
        counters.increment(Counter.PACKETS_RECEIVED);
        int bad = PacketCodec.check(s, off, len);
        if (bad != PacketCodec.OK) {
            counters.drop(DROP_REASONS[bad]);
            return;
        }
        int type = PacketCodec.type(s, off);
        if (type == TYPE_HANDSHAKE) {
            onHandshake(route, s, off, len);
            return;
        }
        int id = PacketCodec.connectionId(s, off);
        Connection c = id > 0 && id < byId.length ? byId[id] : null;
        if (c == null) {
            counters.drop(DropReason.UNKNOWN_CONNECTION);
            return;
        }
        if (PacketCodec.token(s, off) != c.localToken || route != c.route) {
            counters.drop(DropReason.BAD_TOKEN);
            return;
        }
        ConnectionState st = c.statePlain();
        if (!c.remoteKnown || (st.isTerminal() && st != ConnectionState.CLOSED)) {
            counters.drop(DropReason.WRONG_STATE);
            return;
        }
        int payload = len - LENGTH;
        long sack = 0;
        if (type == TYPE_ACK && payload == SACK_LENGTH) {
            sack = PacketCodec.getLong(s, off + LENGTH);
        } else if (type != TYPE_DATA && payload != 0) {
            counters.drop(DropReason.BAD_LENGTH);
            return;
        }
        heard(c);
        if (type == TYPE_RESET) {
            counters.increment(Counter.RESETS_RECEIVED);
            terminate(c, ConnectionState.RESET);
            return;
        }
        if (st == ConnectionState.HANDSHAKING) becomeEstablished(c);
        if (!c.send.onAck(this, PacketCodec.ack(s, off), PacketCodec.window(s, off), type == TYPE_ACK, sack, now)) {
            counters.drop(DropReason.BAD_ACK);
            return;
        }
        switch (type) {
            case TYPE_DATA, TYPE_FIN -> c.receive.onData(this, type, PacketCodec.flags(s, off), PacketCodec.seq(s, off),
                    s, off + LENGTH, payload);
            case TYPE_PROBE -> ackNow(c);
            default -> { }
        }
    }

    private void onHandshake(int route, MemorySegment s, long off, int len) {
        if (len - LENGTH != Handshake.LENGTH) {
            counters.drop(DropReason.BAD_LENGTH);
            return;
        }
        int id = PacketCodec.connectionId(s, off);
        long echoedToken = PacketCodec.token(s, off);
        Connection c;
        if (id != 0) {
            c = id > 0 && id < byId.length ? byId[id] : null;
            if (c == null) {
                counters.drop(DropReason.UNKNOWN_CONNECTION);
                return;
            }
            if (echoedToken != c.localToken || route != c.route) {
                counters.drop(DropReason.BAD_TOKEN);
                return;
            }
        } else {
            c = route >= 0 && route < byRoute.length ? byRoute[route] : null;
            if (c == null) {
                counters.drop(DropReason.UNKNOWN_CONNECTION);
                return;
            }
            if (echoedToken != 0) {
                counters.drop(DropReason.BAD_TOKEN);
                return;
            }
        }
        long p = off + LENGTH;
        int remoteId = PacketCodec.getInt(s, p + Handshake.OFFSET_CONNECTION_ID);
        long remoteToken = PacketCodec.getLong(s, p + Handshake.OFFSET_TOKEN);
        int remoteIsn = PacketCodec.getInt(s, p + Handshake.OFFSET_ISN);
        int mode = s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, p + Handshake.OFFSET_MODE);
        int flags = s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, p + Handshake.OFFSET_FLAGS) & 0xFF;
        int remoteMaxPayload = PacketCodec.getUnsignedShort(s, p + Handshake.OFFSET_MAX_PAYLOAD);
        long appData = PacketCodec.getLong(s, p + Handshake.OFFSET_APP_DATA);
        if (remoteId <= 0 || remoteToken == 0 || remoteMaxPayload < 64
                || (flags & ~Handshake.FLAG_ESTABLISHED) != 0
                || (mode != Handshake.MODE_STREAM && mode != Handshake.MODE_MESSAGE)) {
            counters.drop(DropReason.BAD_LENGTH);
            return;
        }
        ConnectionState st = c.statePlain();
        if (st.isTerminal()) {
            counters.drop(DropReason.WRONG_STATE);
            return;
        }
        if (c.remoteKnown) {
            if (remoteId != c.remoteId || remoteToken != c.remoteToken) {
                counters.drop(DropReason.BAD_TOKEN);
                return;
            }
        } else {
            if (mode != (c.mode == Mode.STREAM ? Handshake.MODE_STREAM : Handshake.MODE_MESSAGE)) {
                counters.increment(Counter.HANDSHAKES_FAILED);
                terminate(c, ConnectionState.HANDSHAKE_FAILED);
                return;
            }
            c.remoteId = remoteId;
            c.remoteToken = remoteToken;
            c.remoteKnown = true;
            c.markPeerHeard();
            c.sendPayload = Math.min(maxPayload, remoteMaxPayload);
            c.receive.start(remoteIsn);
            c.send.peerEdge = c.localIsn + Math.max(0, Math.min(PacketCodec.window(s, off), config.window()));
            c.pendingAppData = appData;
        }
        boolean peerKnowsUs = echoedToken == c.localToken;
        if (st == ConnectionState.HANDSHAKING && peerKnowsUs) becomeEstablished(c);
        if (!peerKnowsUs || (flags & Handshake.FLAG_ESTABLISHED) == 0) c.handshakeReplyDue = true;
    }

    private void becomeEstablished(Connection c) {
        heard(c);
        counters.increment(Counter.HANDSHAKES_COMPLETED);
        c.established(c.pendingAppData);
    }

    // ---------------------------------------------------------------- sending

    /** Sends one DATA or FIN packet whose payload is {@code len} bytes of {@code ring} at {@code pos}. */
    boolean sendData(Connection c, int type, int flags, int seq, ByteRing ring, long pos, int len) {
        // Assembled in place in the link's transmit memory (claim/commit): the payload is copied once, from the
        // send ring straight into what goes out.
        long at = link.claim(c.route, LENGTH + len);
        if (at < 0) {
            counters.increment(Counter.LINK_BACKPRESSURE);
            return false;
        }
        MemorySegment p = link.claimed();
        PacketCodec.writeHeader(p, at, type, flags, len, c.remoteId, c.remoteToken, seq,
                c.receive.rcvNext, c.receive.advertisedWindow());
        if (len > 0) ring.copyOut(pos, p, at + LENGTH, len);
        link.commit(LENGTH + len);
        c.receive.acknowledged();
        counters.increment(Counter.PACKETS_SENT);
        counters.increment(Counter.DATA_PACKETS_SENT);
        return true;
    }

    /**
     * Sends a control packet (ACK, PROBE, RESET) carrying the current acknowledgment and window; an ACK also
     * carries the selective-acknowledgment bits when packets beyond the cumulative ack are held.
     */
    boolean sendControl(Connection c, int type) {
        long sack = type == TYPE_ACK ? c.receive.sackBits() : 0;
        int payload = sack != 0 ? SACK_LENGTH : 0;
        long at = link.claim(c.route, LENGTH + payload);
        if (at < 0) {
            counters.increment(Counter.LINK_BACKPRESSURE);
            return false;
        }
        MemorySegment p = link.claimed();
        PacketCodec.writeHeader(p, at, type, 0, payload, c.remoteId, c.remoteToken, c.send.sndNext,
                c.receive.rcvNext, c.receive.advertisedWindow());
        if (payload != 0) PacketCodec.putLong(p, at + LENGTH, sack);
        link.commit(LENGTH + payload);
        counters.increment(Counter.PACKETS_SENT);
        if (type == TYPE_ACK) {
            c.receive.acknowledged();
            counters.increment(Counter.ACKS_SENT);
        }
        return true;
    }

    /** An acknowledgment right now (a gap was seen, a duplicate arrived, a probe asked, the window opened). */
    void ackNow(Connection c) { sendControl(c, TYPE_ACK); }

    private void sendHandshake(Connection c) {
        boolean est = c.statePlain() == ConnectionState.ESTABLISHED;
        PacketCodec.writeHeader(scratch, 0, TYPE_HANDSHAKE, 0, Handshake.LENGTH,
                c.remoteKnown ? c.remoteId : 0, c.remoteKnown ? c.remoteToken : 0, c.localIsn,
                c.remoteKnown ? c.receive.rcvNext : 0, config.window());
        long p = LENGTH;
        PacketCodec.putInt(scratch, p + Handshake.OFFSET_CONNECTION_ID, c.localId);
        PacketCodec.putLong(scratch, p + Handshake.OFFSET_TOKEN, c.localToken);
        PacketCodec.putInt(scratch, p + Handshake.OFFSET_ISN, c.localIsn);
        scratch.set(java.lang.foreign.ValueLayout.JAVA_BYTE, p + Handshake.OFFSET_MODE,
                (byte) (c.mode == Mode.STREAM ? Handshake.MODE_STREAM : Handshake.MODE_MESSAGE));
        scratch.set(java.lang.foreign.ValueLayout.JAVA_BYTE, p + Handshake.OFFSET_FLAGS,
                (byte) (est ? Handshake.FLAG_ESTABLISHED : 0));
        PacketCodec.putShort(scratch, p + Handshake.OFFSET_MAX_PAYLOAD, maxPayload);
        PacketCodec.putLong(scratch, p + Handshake.OFFSET_APP_DATA, c.localAppData);
        if (link.send(c.route, scratch, 0, LENGTH + Handshake.LENGTH)) {
            c.handshakeReplyDue = false;
            counters.increment(Counter.PACKETS_SENT);
        } else {
            counters.increment(Counter.LINK_BACKPRESSURE);
        }
    }
}
