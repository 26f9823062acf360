package io.tux.xdp.frame;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Test-only AF_PACKET socket through FFM, to put frames on a wire and take them off it without AF_XDP: used to
 * check frames written by {@link FrameTemplate} against the kernel's own IP/UDP stack and to parse frames the
 * kernel wrote. Bound to one interface, all EtherTypes. One thread.
 */
final class RawSocket implements AutoCloseable {

    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int ETH_P_ALL = 0x0003;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_STXCSUM = 0x17;
    private static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = downcall("bind",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SEND = downcall("send",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = downcall("recv",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment state = arena.allocate(CALL_STATE);
    private final int fd;

    @SuppressWarnings("restricted") // test JVMs run with --enable-native-access=ALL-UNNAMED
    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, options);
    }

    /** An AF_PACKET socket bound to interface {@code ifIndex}, receiving with a {@code timeoutMillis} timeout. */
    RawSocket(int ifIndex, int timeoutMillis) throws IOException {
        int htonsAll = Short.toUnsignedInt(Short.reverseBytes((short) ETH_P_ALL));
        fd = (int) call(SOCKET, "socket", AF_PACKET, SOCK_RAW, htonsAll);
        MemorySegment sll = arena.allocate(20, 4); // struct sockaddr_ll
        sll.set(ValueLayout.JAVA_SHORT, 0, (short) AF_PACKET);
        sll.set(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) ETH_P_ALL);
        sll.set(ValueLayout.JAVA_INT, 4, ifIndex);
        call(BIND, "bind", fd, sll, 20);
        MemorySegment tv = arena.allocate(16, 8); // struct timeval
        tv.set(ValueLayout.JAVA_LONG, 0, timeoutMillis / 1000);
        tv.set(ValueLayout.JAVA_LONG, 8, (timeoutMillis % 1000) * 1000L);
        call(SETSOCKOPT, "setsockopt", fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
    }

    /** Sends one whole frame out of the bound interface. */
    void send(MemorySegment frame, long length) throws IOException {
        long sent = call(SEND, "send", fd, frame, length, 0);
        if (sent != length) {
            throw new IOException("send sent " + sent + " of " + length + " bytes");
        }
    }

    /** Receives one frame into {@code buffer}; returns its length, or -1 on timeout. */
    int receive(MemorySegment buffer) throws IOException {
        try {
            return (int) call(RECV, "recv", fd, buffer, buffer.byteSize(), 0);
        } catch (ErrnoException e) {
            if (e.errno == EAGAIN) {
                return -1;
            }
            throw e;
        }
    }

    /** Turns transmit checksum offload of {@code iface} on or off (ETHTOOL_STXCSUM), like {@code ethtool -K tx}. */
    void setTxChecksumOffload(String iface, boolean on) throws IOException {
        MemorySegment value = arena.allocate(8, 4); // struct ethtool_value { u32 cmd; u32 data; }
        value.set(ValueLayout.JAVA_INT, 0, ETHTOOL_STXCSUM);
        value.set(ValueLayout.JAVA_INT, 4, on ? 1 : 0);
        MemorySegment ifreq = arena.allocate(40, 8); // char ifr_name[16]; void *ifr_data
        byte[] name = iface.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        MemorySegment.copy(MemorySegment.ofArray(name), 0, ifreq, 0, Math.min(name.length, 15));
        ifreq.set(ValueLayout.ADDRESS, 16, value);
        call(IOCTL, "ioctl(SIOCETHTOOL)", fd, (long) SIOCETHTOOL, ifreq);
    }

    private long call(MethodHandle handle, String what, Object... args) throws IOException {
        Object[] all = new Object[args.length + 1];
        all[0] = state;
        System.arraycopy(args, 0, all, 1, args.length);
        long result;
        try {
            Object r = handle.invokeWithArguments(all);
            result = r instanceof Integer i ? i : (Long) r;
        } catch (Throwable t) {
            throw new IOException(what + " failed to run", t);
        }
        if (result < 0) {
            int errno = (int) ERRNO.get(state, 0L);
            throw new ErrnoException(what + " failed, errno " + errno, errno);
        }
        return result;
    }

    @Override
    public void close() {
        try {
            call(CLOSE, "close", fd);
        } catch (IOException e) {
            // closing a raw test socket: nothing more to do
        }
        arena.close();
    }

    static final class ErrnoException extends IOException {
        final int errno;

        ErrnoException(String message, int errno) {
            super(message);
            this.errno = errno;
        }
    }
}
