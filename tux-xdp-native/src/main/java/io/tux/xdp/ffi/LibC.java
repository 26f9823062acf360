package io.tux.xdp.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * FFM bindings to the few libc calls AF_XDP needs, in the shape jextract would give them: one
 * {@code NAME$MH} method handle per function and a static wrapper named like the C function.
 *
 * <p>Every call that can fail captures {@code errno} (Linker.Option.captureCallState) into a per-thread
 * capture segment; {@link #errno()} returns the value the last such call on the calling thread left.
 *
 * <p>Threading: all methods may be called from any thread; the errno capture is per thread.
 */
@SuppressWarnings("restricted")
public final class LibC {

    private LibC() {}

    // Constants from the Linux uapi headers (x86_64 / generic).
    public static final int AF_XDP = 44;
    public static final int SOCK_RAW = 3;
    public static final int SOL_XDP = 283;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x08000;
    public static final int MSG_DONTWAIT = 0x40;
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int ENXIO = 6;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOBUFS = 105;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int ENETDOWN = 100;

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** Written and read only by its own thread. */
    private static final ThreadLocal<MemorySegment> CALL_STATE_OF_THREAD =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    /** The capture segment of the calling thread (pass it as the first argument of a capturing handle). */
    public static MemorySegment callState() {
        return CALL_STATE_OF_THREAD.get();
    }

    /** errno as left by the last capturing call on this thread. */
    public static int errno() {
        return (int) ERRNO.get(CALL_STATE_OF_THREAD.get(), 0L);
    }

    static MethodHandle capturing(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), fd, CAPTURE_ERRNO);
    }

    static MethodHandle plain(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), fd);
    }

    // int socket(int domain, int type, int protocol);
    public static final MethodHandle socket$MH =
            capturing("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    // int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen);
    public static final MethodHandle setsockopt$MH = capturing("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    // int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen);
    public static final MethodHandle getsockopt$MH = capturing("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // int bind(int fd, const struct sockaddr *addr, socklen_t len);
    public static final MethodHandle bind$MH =
            capturing("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    // void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
    public static final MethodHandle mmap$MH = capturing("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    // int munmap(void *addr, size_t len);
    public static final MethodHandle munmap$MH =
            capturing("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    // ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr, socklen_t len);
    public static final MethodHandle sendto$MH = capturing("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    // ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr, socklen_t *len);
    public static final MethodHandle recvfrom$MH = capturing("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    // int poll(struct pollfd *fds, nfds_t nfds, int timeout);
    public static final MethodHandle poll$MH =
            capturing("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    // unsigned int if_nametoindex(const char *ifname);
    public static final MethodHandle if_nametoindex$MH =
            capturing("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // int close(int fd);
    public static final MethodHandle close$MH = capturing("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // pid_t getpid(void);
    public static final MethodHandle getpid$MH = plain("getpid", FunctionDescriptor.of(JAVA_INT));

    /** MAP_FAILED. */
    public static final long MAP_FAILED = -1L;

    public static int socket(int domain, int type, int protocol) {
        try {
            return (int) socket$MH.invokeExact(callState(), domain, type, protocol);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int setsockopt(int fd, int level, int optname, MemorySegment optval, int optlen) {
        try {
            return (int) setsockopt$MH.invokeExact(callState(), fd, level, optname, optval, optlen);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int getsockopt(int fd, int level, int optname, MemorySegment optval, MemorySegment optlen) {
        try {
            return (int) getsockopt$MH.invokeExact(callState(), fd, level, optname, optval, optlen);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int bind(int fd, MemorySegment addr, int len) {
        try {
            return (int) bind$MH.invokeExact(callState(), fd, addr, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static MemorySegment mmap(MemorySegment addr, long len, int prot, int flags, int fd, long off) {
        try {
            return (MemorySegment) mmap$MH.invokeExact(callState(), addr, len, prot, flags, fd, off);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int munmap(MemorySegment addr, long len) {
        try {
            return (int) munmap$MH.invokeExact(callState(), addr, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static long sendto(int fd, MemorySegment buf, long n, int flags, MemorySegment addr, int len) {
        try {
            return (long) sendto$MH.invokeExact(callState(), fd, buf, n, flags, addr, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static long recvfrom(int fd, MemorySegment buf, long n, int flags, MemorySegment addr,
            MemorySegment len) {
        try {
            return (long) recvfrom$MH.invokeExact(callState(), fd, buf, n, flags, addr, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int poll(MemorySegment fds, long nfds, int timeout) {
        try {
            return (int) poll$MH.invokeExact(callState(), fds, nfds, timeout);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int if_nametoindex(MemorySegment name) {
        try {
            return (int) if_nametoindex$MH.invokeExact(callState(), name);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int close(int fd) {
        try {
            return (int) close$MH.invokeExact(callState(), fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static int getpid() {
        try {
            return (int) getpid$MH.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
