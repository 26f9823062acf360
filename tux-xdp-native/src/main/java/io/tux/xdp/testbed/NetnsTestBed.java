package io.tux.xdp.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.FutureTask;

/**
 * Two fresh network namespaces joined by a veth pair, the test bed that Tux's tests and benchmarks share.
 *
 * <p>Namespace A holds veth end {@value #IFACE_A} with 10.77.x.1/24 and fd00:77:x::1/64; namespace B holds
 * {@value #IFACE_B} with 10.77.x.2/24 and fd00:77:x::2/64 ({@code x} = {@link #subnet()}, chosen at random
 * among values no other live bed uses; two beds created at the same instant may still pick the same one, which
 * is harmless since each bed's addresses exist only inside its own namespaces). Loopback is up in both. The namespaces are named
 * {@code tux<xx><rrr>a} and {@code ...b}: {@code xx} is {@code x} in hex, {@code rrr} random hex.
 *
 * <p>Processes started through the bed ({@link #startInA}, {@link #start(ProcessBuilder)}, ...) run inside a
 * namespace via {@code ip netns exec} and are killed by pid, with their descendants, on {@link #close()}, which
 * then deletes both namespaces (and so the veth pair, its qdiscs and any XDP program on it). A JVM shutdown
 * hook deletes the namespaces too if the bed was never closed.
 *
 * <p>Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN) and iproute2; see {@link #available()} and
 * {@link #unavailableReason()}.
 *
 * <p>Threading: create and close on one thread; the query and exec methods may be called from any thread
 * (process tracking is synchronized). Not for hot paths: every method runs external commands.
 */
public final class NetnsTestBed implements AutoCloseable {

    /** Name of the veth end in namespace A. */
    public static final String IFACE_A = "vA";
    /** Name of the veth end in namespace B. */
    public static final String IFACE_B = "vB";
    /** Default bound on every external command. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    private static final String NAME_PREFIX = "tux";

    private final String nsA;
    private final String nsB;
    private final int subnet;
    private final Inet4Address addressA;
    private final Inet4Address addressB;
    private final Inet6Address address6A;
    private final Inet6Address address6B;
    private final Thread cleanupHook;
    /** Processes started through the bed; guarded by {@code this}. */
    private final List<Process> processes = new ArrayList<>();
    /** Set once by close(); guarded by {@code this}. */
    private boolean closed;

    /** Creates a bed; equivalent to {@link #create()}. */
    public NetnsTestBed() throws IOException {
        String ip = Tools.ip();
        int x = 0;
        String base = null;
        IOException last = null;
        for (int attempt = 0; attempt < 20 && base == null; attempt++) {
            x = ThreadLocalRandom.current().nextInt(1, 255);
            String prefix = NAME_PREFIX + String.format(Locale.ROOT, "%02x", x);
            String existing = Tools.run(List.of(ip, "netns", "list"), COMMAND_TIMEOUT);
            if (existing.lines().anyMatch(l -> l.startsWith(prefix))) {
                continue; // another bed uses this subnet
            }
            String candidate = prefix + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 3);
            try {
                Tools.run(List.of(ip, "netns", "add", candidate + "a"), COMMAND_TIMEOUT);
            } catch (IOException e) {
                last = e;
                continue;
            }
            base = candidate;
        }
        if (base == null) {
            throw new IOException("could not create a network namespace after 20 attempts", last);
        }
        this.nsA = base + "a";
        this.nsB = base + "b";
        this.subnet = x;
        this.addressA = (Inet4Address) address("10.77." + x + ".1");
        this.addressB = (Inet4Address) address("10.77." + x + ".2");
        this.address6A = (Inet6Address) address("fd00:77:" + Integer.toHexString(x) + "::1");
        this.address6B = (Inet6Address) address("fd00:77:" + Integer.toHexString(x) + "::2");
        this.cleanupHook = new Thread(this::deleteNamespacesQuietly, "tux-testbed-cleanup-" + base);
        Runtime.getRuntime().addShutdownHook(cleanupHook);
        try {
            setUp(ip);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Creates two namespaces, the veth pair between them and the addresses; see the class comment. */
    public static NetnsTestBed create() throws IOException {
        return new NetnsTestBed();
    }

    private void setUp(String ip) throws IOException {
        run(ip, "netns", "add", nsB);
        run(ip, "link", "add", IFACE_A, "netns", nsA, "type", "veth", "peer", "name", IFACE_B, "netns", nsB);
        run(ip, "-n", nsA, "addr", "add", addressA.getHostAddress() + "/24", "dev", IFACE_A);
        run(ip, "-n", nsB, "addr", "add", addressB.getHostAddress() + "/24", "dev", IFACE_B);
        run(ip, "-n", nsA, "-6", "addr", "add", address6A.getHostAddress() + "/64", "dev", IFACE_A, "nodad");
        run(ip, "-n", nsB, "-6", "addr", "add", address6B.getHostAddress() + "/64", "dev", IFACE_B, "nodad");
        run(ip, "-n", nsA, "link", "set", "lo", "up");
        run(ip, "-n", nsB, "link", "set", "lo", "up");
        run(ip, "-n", nsA, "link", "set", IFACE_A, "up");
        run(ip, "-n", nsB, "link", "set", IFACE_B, "up");
        awaitUp(ip, nsA, IFACE_A);
        awaitUp(ip, nsB, IFACE_B);
    }

    /** Waits (bounded) until the veth end reports operational state UP, i.e. its peer is up too. */
    private static void awaitUp(String ip, String ns, String iface) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String state = "";
        while (System.nanoTime() < deadline) {
            state = Tools.run(List.of(ip, "-n", ns, "-o", "link", "show", "dev", iface), COMMAND_TIMEOUT);
            if (state.contains("state UP")) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new IOException(iface + " in " + ns + " did not come up within 5 s: " + state.trim());
    }

    /** True if this process can create network namespaces and veth pairs (probed once, by creating one). */
    public static boolean available() {
        return unavailableReason() == null;
    }

    /** Why {@link #available()} is false (not root, no {@code ip}, no netns support), or null if it is true. */
    public static String unavailableReason() {
        return Probe.REASON;
    }

    /** Name of namespace A. */
    public String nsA() {
        return nsA;
    }

    /** Name of namespace B. */
    public String nsB() {
        return nsB;
    }

    /** The veth end in namespace A, {@value #IFACE_A}. */
    public String ifaceA() {
        return IFACE_A;
    }

    /** The veth end in namespace B, {@value #IFACE_B}. */
    public String ifaceB() {
        return IFACE_B;
    }

    /** The {@code x} of 10.77.x.0/24 and fd00:77:x::/64, in 1..254. */
    public int subnet() {
        return subnet;
    }

    /** 10.77.x.1, on {@value #IFACE_A} in namespace A. */
    public Inet4Address addressA() {
        return addressA;
    }

    /** 10.77.x.2, on {@value #IFACE_B} in namespace B. */
    public Inet4Address addressB() {
        return addressB;
    }

    /** fd00:77:x::1, on {@value #IFACE_A} in namespace A. */
    public Inet6Address address6A() {
        return address6A;
    }

    /** fd00:77:x::2, on {@value #IFACE_B} in namespace B. */
    public Inet6Address address6B() {
        return address6B;
    }

    /** The veth end that lives in {@code ns}. */
    public String ifaceIn(String ns) {
        if (nsA.equals(ns)) {
            return IFACE_A;
        }
        if (nsB.equals(ns)) {
            return IFACE_B;
        }
        throw new IllegalArgumentException("not a namespace of this bed: " + ns);
    }

    /** Starts {@code command} in namespace A; killed on {@link #close()}. */
    public Process startInA(List<String> command) throws IOException {
        return start(new ProcessBuilder(inNamespace(nsA, command)));
    }

    /** Starts {@code command} in namespace B; killed on {@link #close()}. */
    public Process startInB(List<String> command) throws IOException {
        return start(new ProcessBuilder(inNamespace(nsB, command)));
    }

    /**
     * Starts a process built by {@link #javaInA}, {@link #javaInB}, {@link #inNamespace} or any other builder,
     * and tracks it so that {@link #close()} kills it. The caller must drain or redirect its output.
     */
    public Process start(ProcessBuilder builder) throws IOException {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("test bed closed");
            }
            Process p = builder.start();
            processes.add(p);
            return p;
        }
    }

    /** A child JVM in namespace A; see {@link #javaIn}. */
    public ProcessBuilder javaInA(String mainClass, List<String> args) {
        return javaIn(nsA, List.of(), mainClass, args);
    }

    /** A child JVM in namespace B; see {@link #javaIn}. */
    public ProcessBuilder javaInB(String mainClass, List<String> args) {
        return javaIn(nsB, List.of(), mainClass, args);
    }

    /**
     * A builder (not started: pass it to {@link #start(ProcessBuilder)}) for a JVM in {@code ns} that runs
     * {@code mainClass} with this JVM's java binary and class path, {@code --enable-native-access=ALL-UNNAMED},
     * then {@code jvmOptions}.
     */
    public ProcessBuilder javaIn(String ns, List<String> jvmOptions, String mainClass, List<String> args) {
        ifaceIn(ns);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add(mainClass);
        cmd.addAll(args);
        return new ProcessBuilder(inNamespace(ns, cmd));
    }

    /** {@code ip netns exec ns command...}: the command line that runs {@code command} inside {@code ns}. */
    public static List<String> inNamespace(String ns, List<String> command) {
        List<String> cmd = new ArrayList<>(command.size() + 4);
        cmd.add(Tools.ip());
        cmd.add("netns");
        cmd.add("exec");
        cmd.add(Objects.requireNonNull(ns, "ns"));
        cmd.addAll(command);
        return cmd;
    }

    /** Runs {@code command} in {@code ns} and returns its stdout and stderr; see {@link #COMMAND_TIMEOUT}. */
    public String execIn(String ns, String... command) throws IOException {
        return execIn(ns, COMMAND_TIMEOUT, command);
    }

    /**
     * Runs {@code command} in {@code ns}, waits at most {@code timeout}, and returns its stdout and stderr.
     *
     * @throws IOException if it exits non-zero (the message holds the output) or times out (it is then killed)
     */
    public String execIn(String ns, Duration timeout, String... command) throws IOException {
        ifaceIn(ns);
        return Tools.run(inNamespace(ns, List.of(command)), timeout);
    }

    /**
     * The counters of {@code /proc/net/snmp} as seen inside {@code ns}, keyed {@code Group.Name}, e.g.
     * {@code Tcp.InSegs}, {@code Tcp.OutSegs}, {@code Tcp.ActiveOpens}, {@code Udp.InDatagrams}.
     */
    public Map<String, Long> snmp(String ns) throws IOException {
        return parseCounters(execIn(ns, "cat", "/proc/net/snmp"));
    }

    /** {@code Tcp.InSegs} of {@code ns}: TCP segments received, including those in error. */
    public long tcpInSegs(String ns) throws IOException {
        return snmp(ns).get("Tcp.InSegs");
    }

    /** {@code Tcp.OutSegs} of {@code ns}: TCP segments sent, excluding retransmissions. */
    public long tcpOutSegs(String ns) throws IOException {
        return snmp(ns).get("Tcp.OutSegs");
    }

    /** Sets the MTU of both veth ends (IP bytes; 1500 after creation). */
    public void setMtu(int mtu) throws IOException {
        String ip = Tools.ip();
        run(ip, "-n", nsA, "link", "set", "dev", IFACE_A, "mtu", Integer.toString(mtu));
        run(ip, "-n", nsB, "link", "set", "dev", IFACE_B, "mtu", Integer.toString(mtu));
    }

    /** The counters of {@code /proc/net/netstat} inside {@code ns}, keyed like {@code TcpExt.TCPTimeouts}. */
    public Map<String, Long> netstat(String ns) throws IOException {
        return parseCounters(execIn(ns, "cat", "/proc/net/netstat"));
    }

    /**
     * Parses the two-line-per-group format of {@code /proc/net/snmp} and {@code /proc/net/netstat} (a line of
     * names, then a line of values, both starting with {@code Group:}) into {@code Group.Name -> value}.
     *
     * @throws IllegalArgumentException if a header line has no matching value line of the same length
     */
    public static Map<String, Long> parseCounters(String text) {
        Map<String, Long> counters = new LinkedHashMap<>();
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String[] names = lines.get(i).trim().split("\\s+");
            String[] values = lines.get(i + 1).trim().split("\\s+");
            if (!names[0].endsWith(":") || !names[0].equals(values[0]) || names.length != values.length) {
                throw new IllegalArgumentException("malformed counter lines: '" + lines.get(i) + "' / '"
                        + lines.get(i + 1) + "'");
            }
            String group = names[0].substring(0, names[0].length() - 1);
            for (int k = 1; k < names.length; k++) {
                counters.put(group + "." + names[k], Long.parseLong(values[k]));
            }
        }
        if (lines.size() % 2 != 0) {
            throw new IllegalArgumentException("odd number of counter lines");
        }
        return counters;
    }

    /**
     * Replaces the root qdisc of the veth end in {@code ns} with netem: {@code lossPercent} random loss,
     * {@code delay} one-way delay, and {@code reorderPercent} of packets sent at once, ahead of delayed ones
     * (reordering needs a non-zero delay). Affects only packets leaving that end.
     *
     * @throws IOException if tc fails; when the kernel lacks sch_netem the message says so (the machine these
     *     notes were written on has CONFIG_NET_SCH_NETEM unset)
     */
    public void netem(String ns, double lossPercent, Duration delay, double reorderPercent) throws IOException {
        if (reorderPercent > 0 && delay.isZero()) {
            throw new IllegalArgumentException("netem reordering needs a delay");
        }
        List<String> args = new ArrayList<>();
        if (lossPercent > 0) {
            args.addAll(List.of("loss", percent(lossPercent)));
        }
        if (!delay.isZero()) {
            args.addAll(List.of("delay", delay.toNanos() / 1000 + "us"));
        }
        if (reorderPercent > 0) {
            args.addAll(List.of("reorder", percent(reorderPercent)));
        }
        netem(ns, args.toArray(String[]::new));
    }

    /** Replaces the root qdisc of the veth end in {@code ns} with {@code netem <netemArgs...>}. */
    public void netem(String ns, String... netemArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Tools.tc(), "qdisc", "replace", "dev", ifaceIn(ns), "root", "netem"));
        cmd.addAll(List.of(netemArgs));
        try {
            execIn(ns, cmd.toArray(String[]::new));
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("qdisc kind is unknown")) {
                throw new IOException("netem is not available: this kernel has no sch_netem "
                        + "(CONFIG_NET_SCH_NETEM not set, or the module cannot be loaded)", e);
            }
            throw e;
        }
    }

    /** Removes netem (any root qdisc) from the veth end in {@code ns}; no-op if there is none. */
    public void clearNetem(String ns) throws IOException {
        String qdiscs = execIn(ns, Tools.tc(), "qdisc", "show", "dev", ifaceIn(ns));
        if (qdiscs.contains("netem")) {
            execIn(ns, Tools.tc(), "qdisc", "del", "dev", ifaceIn(ns), "root");
        }
    }

    private static String percent(double p) {
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException("percentage out of range: " + p);
        }
        return String.format(Locale.ROOT, "%.4f%%", p);
    }

    /**
     * Reads {@code process}'s stdout line by line (unbuffered beyond the line) until one starts with
     * {@code prefix}, and returns that line; waits at most {@code timeout}.
     *
     * @throws IOException on timeout or end of output, with the lines seen
     */
    public static String awaitLine(Process process, String prefix, Duration timeout) throws IOException {
        InputStream in = process.getInputStream();
        StringBuilder seen = new StringBuilder();
        FutureTask<String> task = new FutureTask<>(() -> {
            StringBuilder line = new StringBuilder();
            while (true) {
                int c = in.read();
                if (c < 0) {
                    return null;
                }
                if (c == '\n') {
                    String l = line.toString();
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                    synchronized (seen) {
                        seen.append(l).append('\n');
                    }
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
        });
        Thread.ofVirtual().name("tux-testbed-awaitLine").start(task);
        String line;
        try {
            line = task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new IOException("no line starting with '" + prefix + "' within " + timeout + "; seen: " + seen(seen));
        } catch (ExecutionException e) {
            throw new IOException("reading output failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (line == null) {
            throw new IOException("output ended without a line starting with '" + prefix + "'; seen: " + seen(seen));
        }
        return line;
    }

    private static String seen(StringBuilder seen) {
        synchronized (seen) {
            return seen.toString();
        }
    }

    /** Names of the network namespaces that exist now ({@code ip netns list}). */
    public static List<String> namespaces() throws IOException {
        return Tools.run(List.of(Tools.ip(), "netns", "list"), COMMAND_TIMEOUT).lines()
                .map(l -> l.split("\\s+", 2)[0]).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Kills the processes started through the bed (each with its descendants, by pid), then deletes both
     * namespaces. Idempotent; never throws (failures are printed to stderr).
     */
    @Override
    public void close() {
        List<Process> toKill;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toKill = new ArrayList<>(processes);
            processes.clear();
        }
        for (Process p : toKill) {
            kill(p);
        }
        deleteNamespacesQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // Shutting down already, or never registered: the hook runs or has run the same deletion.
        }
    }

    private static void kill(Process p) {
        List<ProcessHandle> descendants = p.descendants().toList();
        for (ProcessHandle d : descendants) {
            d.destroyForcibly();
        }
        p.destroy();
        try {
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    System.err.println("tux testbed: process " + p.pid() + " did not exit");
                }
            }
            for (ProcessHandle d : descendants) {
                d.onExit().get(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("tux testbed: a child of process " + p.pid() + " did not exit: " + e);
        }
    }

    private void deleteNamespacesQuietly() {
        for (String ns : new String[] {nsA, nsB}) {
            if (ns == null) {
                continue;
            }
            try {
                if (namespaces().contains(ns)) {
                    Tools.run(List.of(Tools.ip(), "netns", "del", ns), COMMAND_TIMEOUT);
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("tux testbed: could not delete namespace " + ns + ": " + e.getMessage());
            }
        }
    }

    private static void run(String... command) throws IOException {
        Tools.run(List.of(command), COMMAND_TIMEOUT);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no name lookup
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return "NetnsTestBed[" + nsA + " " + IFACE_A + " " + addressA.getHostAddress() + " <-> " + nsB + " "
                + IFACE_B + " " + addressB.getHostAddress() + "]";
    }

    /** The availability probe, run once on first use. */
    private static final class Probe {
        static final String REASON = probe();

        private static String probe() {
            try {
                String status = Files.readString(Path.of("/proc/self/status"), StandardCharsets.US_ASCII);
                String uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid: ? ?");
                String effective = uid.trim().split("\\s+")[2];
                if (!effective.equals("0")) {
                    return "not root (effective uid " + effective + "): network namespaces need CAP_SYS_ADMIN";
                }
            } catch (IOException | RuntimeException e) {
                return "cannot read /proc/self/status: " + e;
            }
            if (!Files.exists(Path.of("/proc/self/ns/net"))) {
                return "the kernel has no network namespace support (/proc/self/ns/net missing)";
            }
            String ip;
            try {
                ip = Tools.ip();
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
            String name = NAME_PREFIX + "probe" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            try {
                Tools.run(List.of(ip, "netns", "add", name), COMMAND_TIMEOUT);
            } catch (IOException e) {
                return "cannot create a network namespace: " + e.getMessage();
            }
            try {
                Tools.run(List.of(ip, "netns", "del", name), COMMAND_TIMEOUT);
            } catch (IOException e) {
                return "cannot delete network namespace " + name + ": " + e.getMessage();
            }
            return null;
        }
    }
}
