package io.tux.xdp.xsk;

import io.tux.xdp.ffi.LibBpf;
import io.tux.xdp.ffi.LibC;
import io.tux.xdp.ring.ConsumerRing;
import io.tux.xdp.ring.ProducerRing;
import io.tux.xdp.ring.RingLayout;
import io.tux.xdp.ring.UmemFrames;
import io.tux.xdp.xsk.XdpUnavailableException.Reason;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One AF_XDP socket bound to one (interface, queue), made with raw syscalls: its UMEM (frames of
 * {@link Config#frameSize} bytes, registered with XDP_UMEM_REG), and its four rings mapped into our memory:
 * the fill ring (frames we lend the kernel for receiving), the RX ring (received frames), the TX ring (frames
 * to send) and the completion ring (sent frames coming back). Copy mode, with XDP_USE_NEED_WAKEUP: the kernel
 * is kicked (sendto for TX, recvfrom for the fill ring) only when the ring's flag asks for it.
 *
 * <p>Frames: at start {@link Config#fillFrames} frames go on the fill ring and the rest stay free for TX.
 * A received frame goes back on the fill ring once its packet was handled; a sent frame goes back to the
 * free list when it shows up on the completion ring. {@link #frames()} accounts for every frame.
 *
 * <p>Threading: everything except {@link #close()} is for the one network thread owning the socket;
 * {@code close} must not race with it (the link closes from its owner or after it stopped).
 */
@SuppressWarnings("restricted")
public final class XdpSocket implements AutoCloseable {

    /** Sizes of the UMEM and rings; ring sizes are powers of two. */
    public record Config(int frameCount, int frameSize, int fillFrames, int ringSize) {
        public static final Config DEFAULT = new Config(4096, 4096, 2048, 2048);

        public Config {
            if (fillFrames > ringSize || fillFrames >= frameCount) {
                throw new IllegalArgumentException("fillFrames must fit the fill ring and leave TX frames");
            }
        }
    }

    private static final int XDP_COPY = 1 << 1;
    private static final int XDP_USE_NEED_WAKEUP = 1 << 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final long PGOFF_RX = 0;
    private static final long PGOFF_TX = 0x80000000L;
    private static final long PGOFF_FILL = 0x100000000L;
    private static final long PGOFF_COMPLETION = 0x180000000L;
    /** Sockopt numbers (linux/if_xdp.h). */
    private static final int XDP_MMAP_OFFSETS = 1;
    private static final int XDP_RX_RING = 2;
    private static final int XDP_TX_RING = 3;
    private static final int XDP_UMEM_REG = 4;
    private static final int XDP_UMEM_FILL_RING = 5;
    private static final int XDP_UMEM_COMPLETION_RING = 6;
    private static final int XDP_STATISTICS = 7;

    private final String ifname;
    private final int ifindex;
    private final int queue;
    private final int fd;
    private final Config config;
    private final MemorySegment umem;
    private final MemorySegment[] maps;
    private final ProducerRing fill;
    private final ProducerRing tx;
    private final ConsumerRing rx;
    private final ConsumerRing completion;
    private final UmemFrames frames;
    private final XdpProgram program;
    /** Counts of kicks (network thread only). */
    private long txKicks;
    private long rxKicks;
    private long kickErrors;
    /** Set by close; network thread only. */
    private boolean closed;

    private XdpSocket(String ifname, int ifindex, int queue, int fd, Config config, MemorySegment umem,
            MemorySegment[] maps, RingLayout[] layouts, XdpProgram program) {
        this.ifname = ifname;
        this.ifindex = ifindex;
        this.queue = queue;
        this.fd = fd;
        this.config = config;
        this.umem = umem;
        this.maps = maps;
        this.rx = new ConsumerRing(maps[0], layouts[0]);
        this.tx = new ProducerRing(maps[1], layouts[1]);
        this.fill = new ProducerRing(maps[2], layouts[2]);
        this.completion = new ConsumerRing(maps[3], layouts[3]);
        this.frames = new UmemFrames(config.frameCount(), config.frameSize());
        this.program = program;
    }

    /**
     * Opens an AF_XDP socket on {@code ifname} queue {@code queue}, attaching the Tux XDP program to the
     * interface if this JVM has not yet.
     *
     * @throws XdpUnavailableException with the reason AF_XDP cannot be used; nothing is left behind
     */
    public static XdpSocket open(String ifname, int queue, Config config) throws XdpUnavailableException {
        return open(ifname, queue, config, null);
    }

    /**
     * As {@link #open(String, int, Config)}, attaching the program in {@code forcedMode} only when this JVM
     * attaches it (null: native, else generic).
     */
    public static XdpSocket open(String ifname, int queue, Config config, XdpProgram.Mode forcedMode)
            throws XdpUnavailableException {
        if (!LibBpf.isAvailable()) {
            throw new XdpUnavailableException(Reason.NO_LIBBPF, String.valueOf(LibBpf.loadFailure()));
        }
        int ifindex;
        try (Arena a = Arena.ofConfined()) {
            ifindex = LibC.if_nametoindex(a.allocateFrom(ifname));
        }
        if (ifindex == 0) {
            throw new XdpUnavailableException(Reason.NO_INTERFACE, "no interface named " + ifname);
        }
        int fd = LibC.socket(LibC.AF_XDP, LibC.SOCK_RAW | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw XdpUnavailableException.of("socket(AF_XDP)", LibC.errno());
        }
        long umemBytes = (long) config.frameCount() * config.frameSize();
        MemorySegment umem = MemorySegment.NULL;
        MemorySegment[] maps = new MemorySegment[4];
        XdpProgram program = null;
        boolean done = false;
        try (Arena a = Arena.ofConfined()) {
            umem = LibC.mmap(MemorySegment.NULL, umemBytes, LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_POPULATE, -1, 0);
            if (umem.address() == LibC.MAP_FAILED) {
                throw XdpUnavailableException.of("mmap(UMEM)", LibC.errno());
            }
            umem = umem.reinterpret(umemBytes);
            // struct xdp_umem_reg {u64 addr; u64 len; u32 chunk_size; u32 headroom; u32 flags; u32 tx_metadata_len;}
            MemorySegment reg = a.allocate(32, 8);
            reg.set(ValueLayout.JAVA_LONG, 0, umem.address());
            reg.set(ValueLayout.JAVA_LONG, 8, umemBytes);
            reg.set(ValueLayout.JAVA_INT, 16, config.frameSize());
            check(LibC.setsockopt(fd, LibC.SOL_XDP, XDP_UMEM_REG, reg, 32), "setsockopt(XDP_UMEM_REG)");
            MemorySegment size = a.allocateFrom(ValueLayout.JAVA_INT, config.ringSize());
            check(LibC.setsockopt(fd, LibC.SOL_XDP, XDP_UMEM_FILL_RING, size, 4), "setsockopt(XDP_UMEM_FILL_RING)");
            check(LibC.setsockopt(fd, LibC.SOL_XDP, XDP_UMEM_COMPLETION_RING, size, 4),
                    "setsockopt(XDP_UMEM_COMPLETION_RING)");
            check(LibC.setsockopt(fd, LibC.SOL_XDP, XDP_RX_RING, size, 4), "setsockopt(XDP_RX_RING)");
            check(LibC.setsockopt(fd, LibC.SOL_XDP, XDP_TX_RING, size, 4), "setsockopt(XDP_TX_RING)");
            // struct xdp_mmap_offsets {struct xdp_ring_offset rx, tx, fr, cr;} each {producer, consumer, desc, flags}
            MemorySegment off = a.allocate(128, 8);
            MemorySegment offLen = a.allocateFrom(ValueLayout.JAVA_INT, 128);
            check(LibC.getsockopt(fd, LibC.SOL_XDP, XDP_MMAP_OFFSETS, off, offLen), "getsockopt(XDP_MMAP_OFFSETS)");
            if (offLen.get(ValueLayout.JAVA_INT, 0) != 128) {
                throw new XdpUnavailableException(Reason.NO_AF_XDP, "kernel without ring flags (old xdp_mmap_offsets)");
            }
            RingLayout[] layouts = new RingLayout[4];
            long[] pgoff = {PGOFF_RX, PGOFF_TX, PGOFF_FILL, PGOFF_COMPLETION};
            for (int r = 0; r < 4; r++) {
                long base = r * 32L;
                layouts[r] = new RingLayout(off.get(ValueLayout.JAVA_LONG, base), off.get(ValueLayout.JAVA_LONG, base + 8),
                        off.get(ValueLayout.JAVA_LONG, base + 16), off.get(ValueLayout.JAVA_LONG, base + 24),
                        config.ringSize(), r < 2 ? RingLayout.DESC_SIZE : RingLayout.ADDR_SIZE);
                MemorySegment m = LibC.mmap(MemorySegment.NULL, layouts[r].mappedBytes(),
                        LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_POPULATE, fd, pgoff[r]);
                if (m.address() == LibC.MAP_FAILED) {
                    throw XdpUnavailableException.of("mmap(ring " + r + ")", LibC.errno());
                }
                maps[r] = m.reinterpret(layouts[r].mappedBytes());
            }
            // struct sockaddr_xdp {u16 family; u16 flags; u32 ifindex; u32 queue_id; u32 shared_umem_fd;}
            MemorySegment sxdp = a.allocate(16, 4);
            sxdp.set(ValueLayout.JAVA_SHORT, 0, (short) LibC.AF_XDP);
            sxdp.set(ValueLayout.JAVA_SHORT, 2, (short) (XDP_COPY | XDP_USE_NEED_WAKEUP));
            sxdp.set(ValueLayout.JAVA_INT, 4, ifindex);
            sxdp.set(ValueLayout.JAVA_INT, 8, queue);
            if (bindRetryingBusy(fd, sxdp) < 0) {
                int errno = LibC.errno();
                if (errno == LibC.EINVAL) {
                    throw new XdpUnavailableException(Reason.NO_QUEUE,
                            "bind to " + ifname + " queue " + queue + " failed, errno EINVAL");
                }
                throw XdpUnavailableException.of("bind(AF_XDP " + ifname + " queue " + queue + ")", errno);
            }
            program = XdpProgram.acquire(ifindex, forcedMode != null ? forcedMode : XdpProgram.preferredMode(ifname));
            program.registerSocket(queue, fd);
            XdpSocket s = new XdpSocket(ifname, ifindex, queue, fd, config, umem, maps, layouts, program);
            s.prefill();
            done = true;
            return s;
        } finally {
            if (!done) {
                if (program != null) {
                    program.release();
                }
                for (int r = 0; r < 4; r++) {
                    if (maps[r] != null) {
                        LibC.munmap(maps[r], maps[r].byteSize());
                    }
                }
                LibC.close(fd);
                if (!umem.equals(MemorySegment.NULL) && umem.address() != LibC.MAP_FAILED) {
                    LibC.munmap(umem, umemBytes);
                }
            }
        }
    }

    /** How long bind retries EBUSY: the kernel releases a closed socket's queue from a work queue, a bit later. */
    private static final long BUSY_RETRY_NANOS = 100_000_000L;

    /**
     * bind(2), retried while it fails with EBUSY for at most {@link #BUSY_RETRY_NANOS}: a socket on this queue
     * that was just closed (by us or by a process that died) keeps the queue busy until the kernel's deferred
     * release runs. A queue that stays busy is then really owned by someone else.
     */
    private static int bindRetryingBusy(int fd, MemorySegment sxdp) {
        long deadline = System.nanoTime() + BUSY_RETRY_NANOS;
        while (true) {
            int rc = LibC.bind(fd, sxdp, 16);
            if (rc == 0 || LibC.errno() != LibC.EBUSY || System.nanoTime() > deadline) {
                return rc;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000L);
        }
    }

    private static void check(int rc, String call) throws XdpUnavailableException {
        if (rc < 0) {
            throw XdpUnavailableException.of(call, LibC.errno());
        }
    }

    private void prefill() {
        int n = fill.free(config.fillFrames());
        for (int i = 0; i < n; i++) {
            fill.putAddr(i, frames.take(UmemFrames.FILL));
        }
        fill.submit(n);
    }

    public String ifname() {
        return ifname;
    }

    public int ifindex() {
        return ifindex;
    }

    public int queue() {
        return queue;
    }

    /** The socket's file descriptor (to wait on it with poll(2); never close it). */
    public int fd() {
        return fd;
    }

    public XdpProgram.Mode mode() {
        return program.mode();
    }

    /** The XDP program on this socket's interface (to register destinations). */
    public XdpProgram program() {
        return program;
    }

    /** The UMEM: frame {@code addr} starts at byte {@code addr}. */
    public MemorySegment umem() {
        return umem;
    }

    /** Frame accounting (network thread). */
    public UmemFrames frames() {
        return frames;
    }

    public int frameSize() {
        return config.frameSize();
    }

    // ---- receive ----------------------------------------------------------------------------------------

    /**
     * Takes up to {@code max} received descriptors into user hands (frames move FILL -> RX) and returns how
     * many; read them with {@link #rxAddr}/{@link #rxLen}, then give them back with {@link #rxRecycle}.
     * When the RX ring is empty and the kernel asked for a fill-ring wakeup, kicks it with recvfrom.
     */
    public int rxTake(int max) {
        int n = rx.available(max);
        if (n == 0) {
            if (fill.needsWakeup()) {
                rxKicks++;
                LibC.recvfrom(fd, MemorySegment.NULL, 0, LibC.MSG_DONTWAIT, MemorySegment.NULL, MemorySegment.NULL);
            }
            return 0;
        }
        for (int i = 0; i < n; i++) {
            frames.move(rx.addr(i), UmemFrames.FILL, UmemFrames.RX);
        }
        return n;
    }

    /** UMEM address of the packet in taken descriptor {@code i}. */
    public long rxAddr(int i) {
        return rx.addr(i);
    }

    /** Length of the packet in taken descriptor {@code i}. */
    public int rxLen(int i) {
        return rx.len(i);
    }

    /** Returns the first {@code n} taken frames to the fill ring and releases their RX descriptors. */
    public void rxRecycle(int n) {
        int room = fill.free(n);
        for (int i = 0; i < n; i++) {
            long frame = frames.frameOf(rx.addr(i));
            if (i < room && frames.move(frame, UmemFrames.RX, UmemFrames.FILL)) {
                fill.putAddr(i, frame);
            } else if (i < room) {
                // Accounting violation already counted; keep the fill entry meaningful with a free frame.
                long spare = frames.take(UmemFrames.FILL);
                fill.putAddr(i, spare < 0 ? frame : spare);
            } else {
                frames.free(frame, UmemFrames.RX);
            }
        }
        fill.submit(room);
        rx.release(n);
    }

    // ---- transmit ---------------------------------------------------------------------------------------

    /**
     * A free frame for one outgoing packet (moved to TX), after checking the TX ring has a slot; reaps the
     * completion ring when no frame is free. Returns -1 when there is no slot or no frame now.
     */
    public long txFrame() {
        if (tx.free(1) == 0) {
            return -1;
        }
        long addr = frames.take(UmemFrames.TX);
        if (addr < 0 && reapCompletions() > 0) {
            addr = frames.take(UmemFrames.TX);
        }
        return addr;
    }

    /** Puts frame {@code addr} (from {@link #txFrame}) holding {@code len} bytes on the TX ring. */
    public void txSubmit(long addr, int len) {
        tx.putDesc(0, addr, len);
        tx.submit(1);
    }

    /** Kicks the kernel to send what is on the TX ring, if it asked for it (needs_wakeup). */
    public void txKick() {
        if (tx.pending() > 0 && tx.needsWakeup()) {
            txKicks++;
            long rc = LibC.sendto(fd, MemorySegment.NULL, 0, LibC.MSG_DONTWAIT, MemorySegment.NULL, 0);
            if (rc < 0) {
                int errno = LibC.errno();
                // EAGAIN/EBUSY: the kernel sent a batch and will take the rest on the next kick.
                if (errno != LibC.EAGAIN && errno != LibC.EBUSY && errno != LibC.ENOBUFS) {
                    kickErrors++;
                }
            }
        }
    }

    /** Moves frames the kernel finished sending from the completion ring to the free list; returns how many. */
    public int reapCompletions() {
        int n = completion.available(config.ringSize());
        for (int i = 0; i < n; i++) {
            frames.free(completion.addr(i), UmemFrames.TX);
        }
        if (n > 0) {
            completion.release(n);
        }
        return n;
    }

    /** Descriptors on the TX ring the kernel has not taken yet. */
    public int txPending() {
        return tx.pending();
    }

    public long txKicks() {
        return txKicks;
    }

    public long rxKicks() {
        return rxKicks;
    }

    public long kickErrors() {
        return kickErrors;
    }

    /** Kernel drop counters (getsockopt XDP_STATISTICS): rx_dropped, rx_invalid, tx_invalid, rx_ring_full, fill_empty, tx_empty. */
    public long[] statistics() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(48, 8);
            MemorySegment len = a.allocateFrom(ValueLayout.JAVA_INT, 48);
            if (LibC.getsockopt(fd, LibC.SOL_XDP, XDP_STATISTICS, s, len) < 0) {
                return new long[0];
            }
            return s.asSlice(0, len.get(ValueLayout.JAVA_INT, 0)).toArray(ValueLayout.JAVA_LONG);
        }
    }

    /** Unhooks the socket from the XDP program, closes it and unmaps its memory; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        program.unregisterSocket(queue);
        LibC.close(fd);
        program.release();
        for (MemorySegment m : maps) {
            LibC.munmap(m, m.byteSize());
        }
        LibC.munmap(umem, umem.byteSize());
    }
}
