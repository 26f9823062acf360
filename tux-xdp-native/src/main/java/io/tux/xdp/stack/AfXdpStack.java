package io.tux.xdp.stack;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionListener;
import io.tux.core.engine.Engine;
import io.tux.core.engine.EngineConfig;
import io.tux.core.engine.EngineCounters;
import io.tux.core.engine.Mode;
import io.tux.core.engine.NetworkThread;
import io.tux.core.stack.TuxStack;
import io.tux.core.stack.TuxUnavailableException;
import io.tux.core.stack.TuxUnavailableException.Reason;
import io.tux.xdp.link.AfXdpLink;
import io.tux.xdp.route.RouteCache;
import io.tux.xdp.route.RouteInfo;
import io.tux.xdp.route.RouteResolver;
import io.tux.xdp.xsk.XdpProgram;
import io.tux.xdp.xsk.XdpSocket;
import io.tux.xdp.xsk.XdpUnavailableException;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The {@link TuxStack} over AF_XDP: for each (interface, queue) that a connection's route leaves through, one
 * {@link AfXdpLink}, one {@link Engine} and one {@link NetworkThread}, made on the first connection that needs
 * them (which is also when the XDP program is attached to the interface). Opening a connection resolves its
 * route ({@link RouteResolver}), opens a route on that link for the address pair (registering the local
 * address and port with the XDP program, so that only this connection's packets are steered away from the
 * kernel) and starts the engine's handshake; {@link #release} closes the route and unregisters the address.
 *
 * <p>Every failure is a {@link TuxUnavailableException} with a reason (see {@link #open}); nothing else is
 * thrown, so the caller can always stay on kernel TCP. A failure to set up an (interface, queue) is remembered
 * for {@link #FAILURE_MEMORY}, so that a busy queue costs one bind attempt per second, not one per connection.
 *
 * <p>Second process on the same interface: veth and lo have one queue, so another process's stack finds the
 * queue bound and gets {@link Reason#QUEUE_BUSY} (the bind fails before the program is looked at); on a queue
 * nobody has bound, the live owner's program on the interface makes it {@link Reason#INTERFACE_BUSY}.
 *
 * <p>Threading: {@link #open}, {@link #release}, {@link #describe} and {@link #close} may be called from any
 * thread. Set-up and tear-down take the stack's lock; the data path never does.
 */
public final class AfXdpStack implements TuxStack {

    /** How long a failed (interface, queue) set-up is answered from memory before it is tried again. */
    public static final Duration FAILURE_MEMORY = Duration.ofSeconds(1);

    /**
     * Tunables of the AF_XDP side.
     *
     * @param forcedMode attach the XDP program in this mode only (null: native, else generic)
     * @param socket UMEM and ring sizes of each link
     * @param neighbourWait how long route resolution waits for the next hop's MAC
     * @param interfaces the interfaces Tux may use; empty for any (the one the route to the peer uses)
     * @param idleClose when a link that no connection uses any more is closed (its program detached)
     */
    public record Options(XdpProgram.Mode forcedMode, XdpSocket.Config socket, Duration neighbourWait,
                          List<String> interfaces, IdleClose idleClose) {
        /** Every interface, the program's preferred mode, links kept until the stack closes. */
        public static final Options DEFAULT = new Options(null, XdpSocket.Config.DEFAULT,
                RouteResolver.DEFAULT_NEIGHBOUR_WAIT, List.of(), IdleClose.NEVER);

        public Options {
            Objects.requireNonNull(socket, "socket");
            Objects.requireNonNull(neighbourWait, "neighbourWait");
            Objects.requireNonNull(idleClose, "idleClose");
            interfaces = List.copyOf(interfaces);
        }

        /** As the canonical constructor, with links kept until the stack closes. */
        public Options(XdpProgram.Mode forcedMode, XdpSocket.Config socket, Duration neighbourWait,
                       List<String> interfaces) {
            this(forcedMode, socket, neighbourWait, interfaces, IdleClose.NEVER);
        }

        public Options withForcedMode(XdpProgram.Mode m) {
            return new Options(m, socket, neighbourWait, interfaces, idleClose);
        }

        /** Only these interfaces (empty: any). */
        public Options withInterfaces(List<String> names) {
            return new Options(forcedMode, socket, neighbourWait, names, idleClose);
        }

        public Options withIdleClose(IdleClose c) {
            return new Options(forcedMode, socket, neighbourWait, interfaces, c);
        }
    }

    /**
     * How long a link stays set up after its last connection went (the handshake of a peer that does not run Tux
     * fails, or the last Tux connection closed) before it is closed: its network thread stops, its socket and
     * UMEM are freed and, with the interface's last link, the XDP program is detached, so that a program whose
     * peers do not run Tux leaves the interface as it found it (a program on the interface costs the host's other
     * traffic: generic XDP copies every socket buffer it sees that is cloned or not linear, which includes
     * every TCP segment on veth). The next connection sets the link up again. Per attach mode, because attaching
     * or detaching a driver-mode program makes some NICs reconfigure their queues.
     *
     * @param generic for links whose program runs in generic mode; null: never closed while the stack runs
     * @param nativeMode for links whose program runs in driver (native) mode; null: never
     */
    public record IdleClose(Duration generic, Duration nativeMode) {
        /** Links stay until the stack closes. */
        public static final IdleClose NEVER = new IdleClose(null, null);

        public IdleClose {
            if (generic != null && generic.isNegative() || nativeMode != null && nativeMode.isNegative()) {
                throw new IllegalArgumentException("negative idle time: " + generic + ", " + nativeMode);
            }
        }

        /** The same time for both modes (null: never). */
        public static IdleClose after(Duration d) {
            return new IdleClose(d, d);
        }

        Duration of(XdpProgram.Mode mode) {
            return mode == XdpProgram.Mode.NATIVE ? nativeMode : generic;
        }
    }

    /**
     * One link with its engine and network thread. {@code users} counts connections opened on it (and opens
     * in progress) that the engine has not dropped yet; {@code idleSince} is when it last went to 0;
     * {@code checkPending} says an idle check is scheduled (at most one per lane, however many connections come
     * and go). All three guarded by the stack's lock.
     */
    private static final class Lane {
        final String key;
        final AfXdpLink link;
        final NetworkThread thread;
        int users;
        long idleSince;
        boolean checkPending;

        Lane(String key, AfXdpLink link, NetworkThread thread) {
            this.key = key;
            this.link = link;
            this.thread = thread;
        }

        String key() { return key; }

        AfXdpLink link() { return link; }

        NetworkThread thread() { return thread; }
    }

    /** A remembered set-up failure. */
    private record Failure(Reason reason, String message, long at) {}

    private final EngineConfig config;
    private final long pollBudgetNanos;
    private final Options options;
    /** Routes per destination, dropped whenever the namespace's routes, links or neighbours change. */
    private final RouteCache routes;
    /** Lanes by "ifname#queue"; guarded by {@code this}. */
    private final Map<String, Lane> lanes = new HashMap<>();
    /** Set-up failures by the same key; guarded by {@code this}. */
    private final Map<String, Failure> failures = new HashMap<>();
    /** Guarded by {@code this}. */
    private boolean closed;
    /** The lane of each open connection (identity keys: Connection keeps Object's equals), for release. */
    private final Map<Connection, Lane> laneOf = new ConcurrentHashMap<>();
    /** Engine counters of lanes closed for idleness, by key, summed; guarded by {@code this}. */
    private final Map<String, EngineCounters> retired = new HashMap<>();
    /** Lanes set up and lanes closed for idleness since the stack started; guarded by {@code this}. */
    private long lanesOpened;
    private long lanesClosedIdle;
    /** Runs idle checks; made on the first lane that may close (guarded by {@code this}), its thread ends when idle. */
    private ScheduledThreadPoolExecutor idleTimer;

    /** A stack with the default options. */
    public AfXdpStack(EngineConfig config, long pollBudgetNanos) {
        this(config, pollBudgetNanos, Options.DEFAULT);
    }

    /**
     * @param config the engine configuration of every engine the stack makes
     * @param pollBudgetNanos how long an idle network thread keeps polling before it sleeps (see NetworkThread)
     * @param options the AF_XDP side's options
     */
    public AfXdpStack(EngineConfig config, long pollBudgetNanos, Options options) {
        if (pollBudgetNanos < 0) {
            throw new IllegalArgumentException("pollBudgetNanos must be >= 0: " + pollBudgetNanos);
        }
        this.config = Objects.requireNonNull(config, "config");
        this.pollBudgetNanos = pollBudgetNanos;
        this.options = Objects.requireNonNull(options, "options");
        this.routes = RouteCache.live(new RouteResolver(options.neighbourWait()));
    }

    /**
     * Opens a stream connection for the address pair.
     *
     * @throws TuxUnavailableException NO_PRIVILEGE, NO_AF_XDP, NO_NATIVE_LIBRARY (see {@link #probe()});
     *     UNSUPPORTED_ADDRESS for anything but two resolved IPv4 addresses; NO_ROUTE when no route, interface or
     *     neighbour is found; QUEUE_BUSY / INTERFACE_BUSY when another process owns the queue or the interface's
     *     XDP hook; PROGRAM_FAILED when the XDP program cannot be loaded, attached or told the destination;
     *     OTHER for anything else (the message says what)
     */
    @Override
    public Connection open(InetSocketAddress local, InetSocketAddress remote, long appData,
                           ConnectionListener listener) throws TuxUnavailableException {
        try {
            return openChecked(local, remote, appData, listener);
        } catch (TuxUnavailableException e) {
            throw e;
        } catch (LinkageError e) {
            throw new TuxUnavailableException(Reason.NO_NATIVE_LIBRARY, "native access failed: " + e, e);
        } catch (RuntimeException e) {
            throw new TuxUnavailableException(Reason.OTHER, "unexpected failure: " + e, e);
        }
    }

    private Connection openChecked(InetSocketAddress local, InetSocketAddress remote, long appData,
                                   ConnectionListener listener) throws TuxUnavailableException {
        if (local == null || remote == null || local.getAddress() == null || remote.getAddress() == null) {
            throw new TuxUnavailableException(Reason.UNSUPPORTED_ADDRESS, "unresolved address: " + local + " -> " + remote);
        }
        if (!(local.getAddress() instanceof Inet4Address) || !(remote.getAddress() instanceof Inet4Address)) {
            throw new TuxUnavailableException(Reason.UNSUPPORTED_ADDRESS,
                    "the AF_XDP link carries IPv4 only: " + local + " -> " + remote);
        }
        TuxUnavailableException unavailable = probe();
        if (unavailable != null) {
            throw new TuxUnavailableException(unavailable.reason(), unavailable.getMessage(), unavailable);
        }
        RouteInfo info;
        try {
            info = routes.resolve(local, remote);
        } catch (IOException e) {
            throw new TuxUnavailableException(Reason.NO_ROUTE, e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new TuxUnavailableException(Reason.UNSUPPORTED_ADDRESS, e.getMessage(), e);
        }
        if (!options.interfaces().isEmpty() && !options.interfaces().contains(info.interfaceName())) {
            throw new TuxUnavailableException(Reason.NO_ROUTE, "the route to " + remote + " uses interface "
                    + info.interfaceName() + ", which is not among " + options.interfaces() + " (tux.interfaces)");
        }
        Lane lane = lane(info); // counts this open as a user: the lane cannot close under it
        int route;
        try {
            route = lane.link().openRoute(local, remote, info);
        } catch (IOException e) {
            unuse(lane);
            throw new TuxUnavailableException(isClosed() ? Reason.OTHER : Reason.PROGRAM_FAILED,
                    "cannot open the route " + local + " -> " + remote + " on " + lane.key() + ": " + e.getMessage(), e);
        }
        try {
            Connection c = lane.thread().engine().open(route, Mode.STREAM, appData, listener);
            laneOf.put(c, lane);
            return c;
        } catch (RuntimeException e) {
            lane.link().closeRoute(route);
            unuse(lane);
            throw e;
        }
    }

    /** The lane of the route's (interface, queue), made on first use, with one more user. */
    private synchronized Lane lane(RouteInfo info) throws TuxUnavailableException {
        if (closed) {
            throw new TuxUnavailableException(Reason.OTHER, "the AF_XDP stack is closed");
        }
        String key = info.interfaceName() + "#" + info.queueId();
        Lane lane = lanes.get(key);
        if (lane != null) {
            Throwable died = lane.thread().failure();
            if (died != null) {
                throw new TuxUnavailableException(Reason.OTHER, "the network thread of " + key + " died: " + died, died);
            }
            lane.users++;
            return lane;
        }
        Failure f = failures.get(key);
        if (f != null && System.nanoTime() - f.at() < FAILURE_MEMORY.toNanos()) {
            throw new TuxUnavailableException(f.reason(), f.message());
        }
        AfXdpLink link;
        try {
            link = AfXdpLink.open(info.interfaceName(), info.queueId(), new AfXdpLink.Options(options.socket(),
                    options.forcedMode(), true, routes::resolve));
        } catch (XdpUnavailableException e) {
            Reason reason = map(e.reason());
            failures.put(key, new Failure(reason, e.getMessage(), System.nanoTime()));
            throw new TuxUnavailableException(reason, "AF_XDP on " + key + ": " + e.getMessage(), e);
        }
        failures.remove(key);
        NetworkThread thread = new NetworkThread(new Engine(link, config), "tux-xdp-" + key, pollBudgetNanos).start();
        lane = new Lane(key, link, thread);
        lane.users = 1;
        lanes.put(key, lane);
        lanesOpened++;
        return lane;
    }

    /**
     * One user of {@code lane} went. With the last one, makes sure an idle check is scheduled: it closes the lane
     * once it has been unused for its idle time ({@link IdleClose}).
     */
    private synchronized void unuse(Lane lane) {
        if (--lane.users > 0 || closed || lanes.get(lane.key()) != lane) {
            return;
        }
        Duration after = options.idleClose().of(lane.link().socket().mode());
        if (after == null) {
            return;
        }
        lane.idleSince = System.nanoTime();
        if (!lane.checkPending) {
            scheduleIdleCheck(lane, after.toNanos());
        }
    }

    /** Under the stack's lock. */
    private void scheduleIdleCheck(Lane lane, long delayNanos) {
        lane.checkPending = true;
        if (idleTimer == null) {
            idleTimer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "tux-xdp-idle");
                t.setDaemon(true);
                return t;
            });
            idleTimer.setKeepAliveTime(5, TimeUnit.SECONDS);
            idleTimer.allowCoreThreadTimeOut(true);
            idleTimer.setRemoveOnCancelPolicy(true);
        }
        idleTimer.schedule(() -> closeIfIdle(lane), delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The idle check (timer thread): closes the lane if it has been unused for its whole idle time, else checks
     * again when that time would be up (connections came and went meanwhile), or stops checking while it is used
     * (its next idle moment schedules a check). Under the stack's lock throughout, so that no open can take the
     * lane meanwhile and a new lane for the same queue is made only after this one let go of it (the queue admits
     * one socket).
     */
    private synchronized void closeIfIdle(Lane lane) {
        lane.checkPending = false;
        if (closed || lane.users > 0 || lanes.get(lane.key()) != lane) {
            return;
        }
        long after = options.idleClose().of(lane.link().socket().mode()).toNanos();
        long idle = System.nanoTime() - lane.idleSince;
        if (idle < after) {
            scheduleIdleCheck(lane, after - idle);
            return;
        }
        lanes.remove(lane.key());
        if (shutDown(lane)) {
            retired.computeIfAbsent(lane.key(), k -> new EngineCounters()).addAll(lane.thread().engine().counters());
            lanesClosedIdle++;
        }
    }

    /**
     * Stops the lane's network thread, takes its loop away from application threads ({@link Engine#retire}) and
     * closes its link. If an application thread kept the loop for seconds (it cannot happen unless a listener
     * blocks), the link is left open, leaked rather than unmapped under a reader: its program and queue stay taken.
     *
     * @return whether the link was closed
     */
    private static boolean shutDown(Lane lane) {
        lane.thread().close();
        if (!lane.thread().engine().retire(TimeUnit.SECONDS.toNanos(5))) {
            return false;
        }
        lane.link().close();
        return true;
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** The TuxStack reason for an AF_XDP set-up failure. */
    static Reason map(XdpUnavailableException.Reason r) {
        return switch (r) {
            case NO_PRIVILEGE -> Reason.NO_PRIVILEGE;
            case QUEUE_BUSY -> Reason.QUEUE_BUSY;
            case INTERFACE_BUSY -> Reason.INTERFACE_BUSY;
            case NO_AF_XDP -> Reason.NO_AF_XDP;
            case NO_LIBBPF -> Reason.NO_NATIVE_LIBRARY;
            case NO_INTERFACE, NO_QUEUE -> Reason.NO_ROUTE;
            case PROGRAM_FAILED -> Reason.PROGRAM_FAILED;
            case NO_MEMORY, OTHER -> Reason.OTHER;
        };
    }

    @Override
    public void release(Connection connection) {
        Lane lane = connection == null ? null : laneOf.remove(connection);
        if (lane != null) {
            lane.link().closeRoute(connection.route());
            unuse(lane);
        }
    }

    @Override
    public synchronized String describe() {
        List<String> parts = new ArrayList<>();
        for (Lane l : lanes.values()) {
            parts.add(l.key() + " " + l.link().socket().mode());
        }
        return "AF_XDP " + (parts.isEmpty() ? "(no interface now)" : String.join(", ", parts))
                + (lanesClosedIdle == 0 ? "" : "; links set up " + lanesOpened + ", closed when idle " + lanesClosedIdle);
    }

    /** Per (interface, queue): the counters of its engines, the live one's and those closed when idle, summed. */
    @Override
    public synchronized String counters() {
        Map<String, EngineCounters> sums = new java.util.TreeMap<>();
        retired.forEach((k, c) -> sums.computeIfAbsent(k, x -> new EngineCounters()).addAll(c));
        lanes.forEach((k, l) -> sums.computeIfAbsent(k, x -> new EngineCounters()).addAll(l.thread().engine().counters()));
        List<String> parts = new ArrayList<>();
        sums.forEach((k, c) -> parts.add(k + ": " + c));
        return String.join("; ", parts);
    }

    /** Links closed because no connection used them for their idle time (tests, diagnostics). */
    public synchronized long linksClosedWhenIdle() {
        return lanesClosedIdle;
    }

    /** The engine serving (interface, queue), or null if none was made (tests, diagnostics). */
    public synchronized Engine engine(String ifname, int queue) {
        Lane l = lanes.get(ifname + "#" + queue);
        return l == null ? null : l.thread().engine();
    }

    /** The link serving (interface, queue), or null if none was made (tests, diagnostics). */
    public synchronized AfXdpLink link(String ifname, int queue) {
        Lane l = lanes.get(ifname + "#" + queue);
        return l == null ? null : l.link();
    }

    /** Stops every network thread, then closes its link (which detaches the program with the last one). */
    @Override
    public void close() {
        List<Lane> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(lanes.values());
            lanes.clear();
            if (idleTimer != null) {
                idleTimer.shutdownNow();
            }
        }
        for (Lane l : toClose) {
            shutDown(l);
        }
        laneOf.clear();
        routes.close();
    }

    /** The route cache (tests, diagnostics). */
    public RouteCache routeCache() {
        return routes;
    }

    // ---------------------------------------------------------------- probe

    /**
     * Null if this process can run AF_XDP at all (libbpf loads, the capabilities are there, the kernel makes
     * AF_XDP sockets, the XDP program is packaged), else an exception whose reason says why not. Computed once
     * and cached; cheap afterwards. Whether a given interface and queue can be used is only known at open.
     */
    public static TuxUnavailableException probe() {
        return Probe.RESULT;
    }

    private static final class Probe {
        static final TuxUnavailableException RESULT = compute();

        private static TuxUnavailableException compute() {
            try {
                return Capabilities.check();
            } catch (LinkageError e) {
                return new TuxUnavailableException(Reason.NO_NATIVE_LIBRARY, "native access failed: " + e, e);
            } catch (RuntimeException e) {
                return new TuxUnavailableException(Reason.OTHER, "probe failed: " + e, e);
            }
        }
    }
}
