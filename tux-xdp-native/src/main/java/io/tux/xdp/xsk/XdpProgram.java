package io.tux.xdp.xsk;

import io.tux.xdp.ffi.LibBpf;
import io.tux.xdp.ffi.LibC;
import io.tux.xdp.xsk.XdpUnavailableException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The Tux XDP program (bpf/tux_xdp.c, packaged as {@value #RESOURCE}) attached to one interface, shared by
 * every AF_XDP socket of this JVM on that interface. Attached lazily by the first socket, native (driver)
 * mode first and generic (SKB) mode when the driver has none; detached when the last socket closes and, for
 * whatever is left, by a shutdown hook. A Tux program left attached by a process that died (kill -9) is
 * recognised by its name and the pid in its {@code tux_owner} map, and replaced; a program of a live process,
 * or any other XDP program, is left alone and reported as {@link Reason#INTERFACE_BUSY}.
 *
 * <p>Threading: all methods may be called from any thread; state is guarded by the class lock
 * ({@code XdpProgram.class}), taken only on set-up paths (never per packet).
 */
public final class XdpProgram {

    /** Class-path resource holding the compiled BPF object. */
    public static final String RESOURCE = "/io/tux/xdp/tux_xdp.o";
    /** Name of the XDP function in the object, as the kernel reports it (bpf_prog_info.name). */
    public static final String PROGRAM_NAME = "tux_xdp";

    /** How the program is attached. */
    public enum Mode {
        /** Driver XDP (XDP_FLAGS_DRV_MODE). */
        NATIVE(LibBpf.XDP_FLAGS_DRV_MODE),
        /** Generic XDP on the socket buffer path (XDP_FLAGS_SKB_MODE). */
        GENERIC(LibBpf.XDP_FLAGS_SKB_MODE);

        final int flag;

        Mode(int flag) {
            this.flag = flag;
        }
    }

    /** Attached programs by ifindex; guarded by XdpProgram.class. */
    private static final Map<Integer, XdpProgram> ATTACHED = new HashMap<>();
    /** Guarded by XdpProgram.class. */
    private static boolean hookInstalled;

    private final int ifindex;
    private final Arena arena;
    private final MemorySegment object;
    private final int progFd;
    private final int xsksFd;
    private final int dests4Fd;
    private final int dests6Fd;
    private final Mode mode;
    /** Sockets using the program; guarded by XdpProgram.class. */
    private int users;
    /** Registered destinations (key bytes as a string) and how many routes use each; guarded by XdpProgram.class. */
    private final Map<String, Integer> destinations = new HashMap<>();
    /** Guarded by XdpProgram.class. */
    private boolean detached;

    private XdpProgram(int ifindex, Arena arena, MemorySegment object, int progFd, int xsksFd, int dests4Fd,
            int dests6Fd, Mode mode) {
        this.ifindex = ifindex;
        this.arena = arena;
        this.object = object;
        this.progFd = progFd;
        this.xsksFd = xsksFd;
        this.dests4Fd = dests4Fd;
        this.dests6Fd = dests6Fd;
        this.mode = mode;
    }

    public Mode mode() {
        return mode;
    }

    public int ifindex() {
        return ifindex;
    }

    /** The program for {@code ifindex}, attaching it if this JVM has not yet; pair with {@link #release()}. */
    public static XdpProgram acquire(int ifindex) throws XdpUnavailableException {
        return acquire(ifindex, null);
    }

    /**
     * As {@link #acquire(int)}, attaching in {@code forcedMode} only (null: native, else generic, or what
     * {@value #MODE_PROPERTY} says). A program this JVM already attached is shared whatever its mode.
     */
    public static XdpProgram acquire(int ifindex, Mode forcedMode) throws XdpUnavailableException {
        synchronized (XdpProgram.class) {
            XdpProgram p = ATTACHED.get(ifindex);
            if (p == null) {
                p = load(ifindex, forcedMode);
                ATTACHED.put(ifindex, p);
                if (!hookInstalled) {
                    Runtime.getRuntime().addShutdownHook(new Thread(XdpProgram::detachAll, "tux-xdp-detach"));
                    hookInstalled = true;
                }
            }
            p.users++;
            return p;
        }
    }

    /** One socket stops using the program; the last one detaches it. */
    public void release() {
        synchronized (XdpProgram.class) {
            if (--users == 0) {
                ATTACHED.remove(ifindex);
                detach();
            }
        }
    }

    private static void detachAll() {
        synchronized (XdpProgram.class) {
            for (XdpProgram p : ATTACHED.values()) {
                p.detach();
            }
            ATTACHED.clear();
        }
    }

    /** Detaches (only if it is still our program on the interface) and frees the object. */
    private void detach() {
        if (detached) {
            return;
        }
        detached = true;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment opts = a.allocate(LibBpf.BPF_XDP_ATTACH_OPTS_SIZE);
            opts.set(ValueLayout.JAVA_LONG, 0, LibBpf.BPF_XDP_ATTACH_OPTS_SIZE);
            opts.set(ValueLayout.JAVA_INT, 8, progFd);
            LibBpf.bpf_xdp_detach(ifindex, mode.flag | LibBpf.XDP_FLAGS_REPLACE, opts);
        }
        LibBpf.bpf_object__close(object);
        arena.close();
    }

    /** XDP verdicts (enum xdp_action). */
    public static final int XDP_ABORTED = 0;
    public static final int XDP_DROP = 1;
    public static final int XDP_PASS = 2;
    public static final int XDP_TX = 3;
    public static final int XDP_REDIRECT = 4;

    /**
     * Runs the attached program once over {@code frame} in the kernel (BPF_PROG_TEST_RUN, nothing is sent or
     * redirected) and returns its verdict, e.g. {@link #XDP_REDIRECT} or {@link #XDP_PASS}; for tests and
     * diagnostics. Its rx queue is 0.
     */
    public int testRun(byte[] frame) throws XdpUnavailableException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment data = a.allocate(frame.length);
            MemorySegment.copy(frame, 0, data, ValueLayout.JAVA_BYTE, 0, frame.length);
            MemorySegment opts = a.allocate(LibBpf.BPF_TEST_RUN_OPTS_SIZE, 8);
            opts.set(ValueLayout.JAVA_LONG, 0, LibBpf.BPF_TEST_RUN_OPTS_SIZE);
            opts.set(ValueLayout.ADDRESS, LibBpf.BPF_TEST_RUN_DATA_IN, data);
            opts.set(ValueLayout.JAVA_INT, LibBpf.BPF_TEST_RUN_DATA_SIZE_IN, frame.length);
            int rc = LibBpf.bpf_prog_test_run_opts(progFd, opts);
            if (rc < 0) {
                throw XdpUnavailableException.of("bpf_prog_test_run_opts", -rc);
            }
            return opts.get(ValueLayout.JAVA_INT, LibBpf.BPF_TEST_RUN_RETVAL);
        }
    }

    /** Puts the AF_XDP socket {@code xskFd} in the XSKMAP slot of {@code queue}. */
    public void registerSocket(int queue, int xskFd) throws XdpUnavailableException {
        try (Arena a = Arena.ofConfined()) {
            int rc = LibBpf.bpf_map_update_elem(xsksFd, a.allocateFrom(ValueLayout.JAVA_INT, queue),
                    a.allocateFrom(ValueLayout.JAVA_INT, xskFd), LibBpf.BPF_ANY);
            if (rc < 0) {
                throw XdpUnavailableException.of("bpf_map_update_elem(tux_xsks)", -rc);
            }
        }
    }

    /** Empties the XSKMAP slot of {@code queue}. */
    public void unregisterSocket(int queue) {
        try (Arena a = Arena.ofConfined()) {
            LibBpf.bpf_map_delete_elem(xsksFd, a.allocateFrom(ValueLayout.JAVA_INT, queue));
        }
    }

    /**
     * Registers a local (address, UDP port) so Tux packets to it are redirected to the sockets. Reference
     * counted: several routes may share a local address.
     *
     * @param address 4 (IPv4) or 16 (IPv6) bytes, network order
     * @param port UDP port
     */
    public void addDestination(byte[] address, int port) throws IOException {
        synchronized (XdpProgram.class) {
            String id = destinationId(address, port);
            int n = destinations.getOrDefault(id, 0);
            if (n == 0) {
                try (Arena a = Arena.ofConfined()) {
                    int rc = LibBpf.bpf_map_update_elem(address.length == 4 ? dests4Fd : dests6Fd,
                            destinationKey(a, address, port), a.allocateFrom(ValueLayout.JAVA_INT, 1),
                            LibBpf.BPF_ANY);
                    if (rc < 0) {
                        throw new IOException("cannot register Tux destination, errno " + -rc);
                    }
                }
            }
            destinations.put(id, n + 1);
        }
    }

    /** Drops one reference to a destination registered with {@link #addDestination}. */
    public void removeDestination(byte[] address, int port) {
        synchronized (XdpProgram.class) {
            String id = destinationId(address, port);
            Integer n = destinations.get(id);
            if (n == null) {
                return;
            }
            if (n > 1) {
                destinations.put(id, n - 1);
                return;
            }
            destinations.remove(id);
            if (!detached) {
                try (Arena a = Arena.ofConfined()) {
                    LibBpf.bpf_map_delete_elem(address.length == 4 ? dests4Fd : dests6Fd,
                            destinationKey(a, address, port));
                }
            }
        }
    }

    private static String destinationId(byte[] address, int port) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address of " + address.length + " bytes");
        }
        return java.util.HexFormat.of().formatHex(address) + ":" + port;
    }

    /** struct tux_dest4 {u32 addr; u16 port; u16 pad} or tux_dest6 {u8 addr[16]; u16 port; u16 pad}. */
    private static MemorySegment destinationKey(Arena a, byte[] address, int port) {
        MemorySegment key = a.allocate(address.length + 4);
        MemorySegment.copy(address, 0, key, ValueLayout.JAVA_BYTE, 0, address.length);
        key.set(ValueLayout.JAVA_BYTE, address.length, (byte) (port >>> 8));
        key.set(ValueLayout.JAVA_BYTE, address.length + 1, (byte) port);
        return key;
    }

    // ---- loading and attaching -------------------------------------------------------------------------

    private static XdpProgram load(int ifindex, Mode forcedMode) throws XdpUnavailableException {
        if (!LibBpf.isAvailable()) {
            throw new XdpUnavailableException(Reason.NO_LIBBPF, String.valueOf(LibBpf.loadFailure()));
        }
        byte[] elf;
        try (InputStream in = XdpProgram.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new XdpUnavailableException(Reason.PROGRAM_FAILED, RESOURCE + " is not on the class path");
            }
            elf = in.readAllBytes();
        } catch (IOException e) {
            throw new XdpUnavailableException(Reason.PROGRAM_FAILED, "reading " + RESOURCE + ": " + e);
        }
        LibBpf.libbpf_set_print(MemorySegment.NULL);
        clearStale(ifindex);
        Arena arena = Arena.ofShared();
        MemorySegment object = MemorySegment.NULL;
        boolean done = false;
        try {
            MemorySegment buf = arena.allocate(elf.length, 8);
            MemorySegment.copy(elf, 0, buf, ValueLayout.JAVA_BYTE, 0, elf.length);
            object = LibBpf.bpf_object__open_mem(buf, elf.length, MemorySegment.NULL);
            if (object.equals(MemorySegment.NULL)) {
                throw new XdpUnavailableException(Reason.PROGRAM_FAILED,
                        "bpf_object__open_mem failed, errno " + LibC.errno());
            }
            int rc = LibBpf.bpf_object__load(object);
            if (rc < 0) {
                XdpUnavailableException e = XdpUnavailableException.of("bpf_object__load", -rc);
                throw e.reason() == Reason.NO_PRIVILEGE ? e
                        : new XdpUnavailableException(Reason.PROGRAM_FAILED, e.getMessage());
            }
            MemorySegment prog = LibBpf.bpf_object__find_program_by_name(object, arena.allocateFrom(PROGRAM_NAME));
            int progFd = prog.equals(MemorySegment.NULL) ? -1 : LibBpf.bpf_program__fd(prog);
            int xsks = LibBpf.bpf_object__find_map_fd_by_name(object, arena.allocateFrom("tux_xsks"));
            int d4 = LibBpf.bpf_object__find_map_fd_by_name(object, arena.allocateFrom("tux_dests4"));
            int d6 = LibBpf.bpf_object__find_map_fd_by_name(object, arena.allocateFrom("tux_dests6"));
            int owner = LibBpf.bpf_object__find_map_fd_by_name(object, arena.allocateFrom("tux_owner"));
            if (progFd < 0 || xsks < 0 || d4 < 0 || d6 < 0 || owner < 0) {
                throw new XdpUnavailableException(Reason.PROGRAM_FAILED, RESOURCE + " lacks a program or map");
            }
            MemorySegment key = arena.allocateFrom(ValueLayout.JAVA_INT, 0);
            MemorySegment pid = arena.allocateFrom(ValueLayout.JAVA_LONG, LibC.getpid());
            LibBpf.bpf_map_update_elem(owner, key, pid, LibBpf.BPF_ANY);
            Mode mode = attach(ifindex, progFd, forcedMode);
            done = true;
            return new XdpProgram(ifindex, arena, object, progFd, xsks, d4, d6, mode);
        } finally {
            if (!done) {
                if (!object.equals(MemorySegment.NULL)) {
                    LibBpf.bpf_object__close(object);
                }
                arena.close();
            }
        }
    }

    /**
     * System property choosing the attach mode where the stack does not force one (measurement mains; programs
     * use {@code tux.xdpMode}, which forces the mode): {@code auto} (default: see {@link #preferredMode}),
     * {@code generic} (skip native; for measurements and drivers whose native XDP misbehaves) or {@code native}
     * (native, else generic, on every interface).
     */
    public static final String MODE_PROPERTY = "io.tux.xdp.mode";

    /**
     * The mode to try first on {@code ifname} when none is forced: native (driver) XDP on a physical device,
     * generic (SKB) XDP on a virtual one (no {@code /sys/class/net/NAME/device}: veth, tun, bridges, lo), or what
     * {@value #MODE_PROPERTY} says. On veth, native XDP switches the device to its XDP receive path for every
     * packet, which gives up GRO and copies each TCP segment: the program then costs the host's other TCP traffic
     * about 20% (64 connections of 16 x 1 KiB GETs between two namespaces, the JDK at both ends: 146k-166k GET/s
     * with the program attached natively, 167k-184k generic, 174k-198k without it), and Tux itself was no faster
     * (64 B round trip p50 10.1-10.3 us native, 9.6-9.7 generic; 64-connection GETs 103k-108k native, 118k-131k
     * generic). Null means: native first, then generic.
     */
    public static Mode preferredMode(String ifname) {
        String p = System.getProperty(MODE_PROPERTY, "auto");
        if ("generic".equals(p)) {
            return Mode.GENERIC;
        }
        if ("native".equals(p)) {
            return null;
        }
        try {
            return Files.exists(Path.of("/sys/class/net", ifname, "device")) ? null : Mode.GENERIC;
        } catch (RuntimeException e) {
            return null; // an odd name: let the attach decide
        }
    }

    private static Mode attach(int ifindex, int progFd, Mode forcedMode) throws XdpUnavailableException {
        int native_ = -LibC.EOPNOTSUPP;
        boolean tryNative = forcedMode == Mode.NATIVE
                || (forcedMode == null && !"generic".equals(System.getProperty(MODE_PROPERTY, "auto")));
        if (tryNative) {
            native_ = LibBpf.bpf_xdp_attach(ifindex, progFd,
                    LibBpf.XDP_FLAGS_UPDATE_IF_NOEXIST | LibBpf.XDP_FLAGS_DRV_MODE, MemorySegment.NULL);
        }
        if (native_ == 0) {
            return Mode.NATIVE;
        }
        int generic = forcedMode == Mode.NATIVE ? native_ : LibBpf.bpf_xdp_attach(ifindex, progFd,
                LibBpf.XDP_FLAGS_UPDATE_IF_NOEXIST | LibBpf.XDP_FLAGS_SKB_MODE, MemorySegment.NULL);
        if (generic == 0) {
            return Mode.GENERIC;
        }
        int errno = -generic;
        if (errno == LibC.EEXIST || errno == LibC.EBUSY) {
            throw new XdpUnavailableException(Reason.INTERFACE_BUSY,
                    "another XDP program appeared on ifindex " + ifindex);
        }
        if (errno == LibC.EPERM || errno == LibC.EACCES) {
            throw new XdpUnavailableException(Reason.NO_PRIVILEGE, "bpf_xdp_attach, errno " + errno);
        }
        throw new XdpUnavailableException(Reason.NO_AF_XDP,
                "bpf_xdp_attach failed: native errno " + -native_ + ", generic errno " + errno);
    }

    /**
     * Looks at what is attached to the interface in each mode: nothing is fine; a Tux program whose owner
     * process is gone is detached; anything else makes the interface busy.
     */
    private static void clearStale(int ifindex) throws XdpUnavailableException {
        for (Mode m : Mode.values()) {
            AttachedProgram found = attachedProgram(ifindex, m);
            if (found == null) {
                continue;
            }
            try {
                if (!PROGRAM_NAME.equals(found.name)) {
                    throw new XdpUnavailableException(Reason.INTERFACE_BUSY, "XDP program '" + found.name
                            + "' (id " + found.id + ") is attached to ifindex " + ifindex);
                }
                long owner = ownerOf(found.fd);
                if (owner > 0 && owner != LibC.getpid() && Files.exists(Path.of("/proc", Long.toString(owner)))) {
                    throw new XdpUnavailableException(Reason.INTERFACE_BUSY,
                            "the Tux XDP program of live process " + owner + " is attached to ifindex " + ifindex);
                }
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment opts = a.allocate(LibBpf.BPF_XDP_ATTACH_OPTS_SIZE);
                    opts.set(ValueLayout.JAVA_LONG, 0, LibBpf.BPF_XDP_ATTACH_OPTS_SIZE);
                    opts.set(ValueLayout.JAVA_INT, 8, found.fd);
                    int rc = LibBpf.bpf_xdp_detach(ifindex, m.flag | LibBpf.XDP_FLAGS_REPLACE, opts);
                    if (rc < 0 && -rc != LibC.EEXIST) {
                        throw XdpUnavailableException.of("bpf_xdp_detach of a stale Tux program", -rc);
                    }
                }
            } finally {
                LibC.close(found.fd);
            }
        }
    }

    /** A program attached to an interface: its id, an fd to it (caller closes) and its name. */
    record AttachedProgram(int id, int fd, String name) {}

    /** The XDP program attached to {@code ifindex} in {@code mode}, or null. */
    static AttachedProgram attachedProgram(int ifindex, Mode mode) throws XdpUnavailableException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment id = a.allocate(ValueLayout.JAVA_INT);
            int rc = LibBpf.bpf_xdp_query_id(ifindex, mode.flag, id);
            if (rc < 0) {
                throw XdpUnavailableException.of("bpf_xdp_query_id", -rc);
            }
            int progId = id.get(ValueLayout.JAVA_INT, 0);
            if (progId == 0) {
                return null;
            }
            int fd = LibBpf.bpf_prog_get_fd_by_id(progId);
            if (fd < 0) {
                throw XdpUnavailableException.of("bpf_prog_get_fd_by_id", -fd);
            }
            MemorySegment info = a.allocate(LibBpf.BPF_PROG_INFO_SIZE, 8);
            MemorySegment len = a.allocateFrom(ValueLayout.JAVA_INT, LibBpf.BPF_PROG_INFO_SIZE);
            rc = LibBpf.bpf_obj_get_info_by_fd(fd, info, len);
            String name = rc < 0 ? "?" : cString(info.asSlice(LibBpf.BPF_PROG_INFO_NAME, 16));
            return new AttachedProgram(progId, fd, name);
        }
    }

    /**
     * Name of the XDP program attached to {@code ifindex} in either mode, or null when none is (for tests and
     * diagnostics).
     */
    public static String attachedProgramName(int ifindex) throws XdpUnavailableException {
        for (Mode m : Mode.values()) {
            AttachedProgram p = attachedProgram(ifindex, m);
            if (p != null) {
                LibC.close(p.fd);
                return p.name;
            }
        }
        return null;
    }

    /** The pid in the tux_owner map of the program {@code progFd}, or 0 when it cannot be read. */
    private static long ownerOf(int progFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(LibBpf.BPF_PROG_INFO_SIZE, 8);
            MemorySegment len = a.allocateFrom(ValueLayout.JAVA_INT, LibBpf.BPF_PROG_INFO_SIZE);
            if (LibBpf.bpf_obj_get_info_by_fd(progFd, info, len) < 0) {
                return 0;
            }
            int maps = info.get(ValueLayout.JAVA_INT, LibBpf.BPF_PROG_INFO_NR_MAP_IDS);
            MemorySegment ids = a.allocate(ValueLayout.JAVA_INT, Math.max(maps, 1));
            info.fill((byte) 0);
            info.set(ValueLayout.JAVA_INT, LibBpf.BPF_PROG_INFO_NR_MAP_IDS, maps);
            info.set(ValueLayout.JAVA_LONG, LibBpf.BPF_PROG_INFO_MAP_IDS, ids.address());
            len.set(ValueLayout.JAVA_INT, 0, LibBpf.BPF_PROG_INFO_SIZE);
            if (LibBpf.bpf_obj_get_info_by_fd(progFd, info, len) < 0) {
                return 0;
            }
            for (int i = 0; i < maps; i++) {
                int mapFd = LibBpf.bpf_map_get_fd_by_id(ids.getAtIndex(ValueLayout.JAVA_INT, i));
                if (mapFd < 0) {
                    continue;
                }
                try {
                    MemorySegment mi = a.allocate(LibBpf.BPF_MAP_INFO_SIZE, 8);
                    MemorySegment ml = a.allocateFrom(ValueLayout.JAVA_INT, LibBpf.BPF_MAP_INFO_SIZE);
                    if (LibBpf.bpf_obj_get_info_by_fd(mapFd, mi, ml) == 0
                            && "tux_owner".equals(cString(mi.asSlice(LibBpf.BPF_MAP_INFO_NAME, 16)))) {
                        MemorySegment value = a.allocate(ValueLayout.JAVA_LONG);
                        if (LibBpf.bpf_map_lookup_elem(mapFd, a.allocateFrom(ValueLayout.JAVA_INT, 0), value) == 0) {
                            return value.get(ValueLayout.JAVA_LONG, 0);
                        }
                    }
                } finally {
                    LibC.close(mapFd);
                }
            }
            return 0;
        }
    }

    private static String cString(MemorySegment s) {
        int n = 0;
        while (n < s.byteSize() && s.get(ValueLayout.JAVA_BYTE, n) != 0) {
            n++;
        }
        return new String(s.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }
}
