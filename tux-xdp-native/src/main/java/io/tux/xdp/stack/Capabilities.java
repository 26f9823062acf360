package io.tux.xdp.stack;

import io.tux.core.stack.TuxUnavailableException;
import io.tux.core.stack.TuxUnavailableException.Reason;
import io.tux.xdp.ffi.LibBpf;
import io.tux.xdp.ffi.LibC;
import io.tux.xdp.xsk.XdpProgram;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@link AfXdpStack#probe()} checks, in order: libbpf loads; the effective capabilities hold
 * CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF (or CAP_SYS_ADMIN, which implies it); the kernel makes an AF_XDP
 * socket; the XDP program is on the class path. Stateless; any thread.
 */
final class Capabilities {

    static final int CAP_NET_ADMIN = 12;
    static final int CAP_NET_RAW = 13;
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_BPF = 39;

    private Capabilities() {}

    /** Null if AF_XDP can be used by this process, else why not. */
    static TuxUnavailableException check() {
        if (!LibBpf.isAvailable()) {
            return new TuxUnavailableException(Reason.NO_NATIVE_LIBRARY, "libbpf.so.1 cannot be loaded: "
                    + LibBpf.loadFailure());
        }
        long caps;
        try {
            caps = effective(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException e) {
            return new TuxUnavailableException(Reason.NO_PRIVILEGE, "cannot read the capabilities: " + e);
        }
        String missing = missing(caps);
        if (missing != null) {
            return new TuxUnavailableException(Reason.NO_PRIVILEGE, "missing " + missing);
        }
        int fd = LibC.socket(LibC.AF_XDP, LibC.SOCK_RAW, 0);
        if (fd < 0) {
            int errno = LibC.errno();
            return switch (errno) {
                case LibC.EPERM, LibC.EACCES -> new TuxUnavailableException(Reason.NO_PRIVILEGE,
                        "socket(AF_XDP) not permitted, errno " + errno);
                case LibC.EAFNOSUPPORT -> new TuxUnavailableException(Reason.NO_AF_XDP,
                        "the kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)");
                default -> new TuxUnavailableException(Reason.OTHER, "socket(AF_XDP) failed, errno " + errno);
            };
        }
        LibC.close(fd);
        try (InputStream in = XdpProgram.class.getResourceAsStream(XdpProgram.RESOURCE)) {
            if (in == null) {
                return new TuxUnavailableException(Reason.PROGRAM_FAILED, XdpProgram.RESOURCE + " is not on the class path");
            }
        } catch (IOException e) {
            return new TuxUnavailableException(Reason.PROGRAM_FAILED, "cannot read " + XdpProgram.RESOURCE + ": " + e);
        }
        return null;
    }

    /** The CapEff bits of a /proc/[pid]/status text. */
    static long effective(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring(7).trim(), 16);
            }
        }
        throw new IllegalArgumentException("no CapEff line");
    }

    /** The names of the needed capabilities missing from {@code caps}, or null if none is. */
    static String missing(long caps) {
        StringBuilder m = new StringBuilder();
        if (!has(caps, CAP_NET_ADMIN)) {
            m.append("CAP_NET_ADMIN ");
        }
        if (!has(caps, CAP_NET_RAW)) {
            m.append("CAP_NET_RAW ");
        }
        if (!has(caps, CAP_BPF) && !has(caps, CAP_SYS_ADMIN)) {
            m.append("CAP_BPF ");
        }
        return m.isEmpty() ? null : m.toString().trim();
    }

    private static boolean has(long caps, int cap) {
        return (caps >>> cap & 1) != 0;
    }
}
