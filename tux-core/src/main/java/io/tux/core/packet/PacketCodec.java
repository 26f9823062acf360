package io.tux.core.packet;

import static io.tux.core.packet.TuxHeader.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reads, writes and checks Tux headers in place, in a {@link MemorySegment} at an offset. Stateless and
 * allocation-free: the network thread calls it for every packet.
 */
public final class PacketCodec {
    private PacketCodec() {}

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Result of {@link #check}: the packet is well formed. */
    public static final int OK = -1;

    /**
     * Checks what can be checked without connection state: length, magic, version, type, flags, reserved byte
     * and that the length field tells the truth.
     *
     * @return {@link #OK}, or the {@link DropReason} ordinal that says why the packet must be dropped
     */
    public static int check(MemorySegment s, long off, int length) {
        if (length < LENGTH) return DropReason.TRUNCATED.ordinal();
        if (s.get(U16, off + OFFSET_MAGIC) != MAGIC) return DropReason.BAD_MAGIC.ordinal();
        if (s.get(ValueLayout.JAVA_BYTE, off + OFFSET_VERSION) != VERSION) return DropReason.BAD_VERSION.ordinal();
        int type = s.get(ValueLayout.JAVA_BYTE, off + OFFSET_TYPE);
        if (type < TYPE_DATA || type > TYPE_PROBE) return DropReason.BAD_TYPE.ordinal();
        int flags = s.get(ValueLayout.JAVA_BYTE, off + OFFSET_FLAGS) & 0xFF;
        if ((flags & ~FLAGS_KNOWN) != 0 || s.get(ValueLayout.JAVA_BYTE, off + OFFSET_RESERVED) != 0) {
            return DropReason.BAD_FLAGS.ordinal();
        }
        if (payloadLength(s, off) != length - LENGTH) return DropReason.BAD_LENGTH.ordinal();
        return OK;
    }

    public static int type(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_BYTE, off + OFFSET_TYPE); }
    public static int flags(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_BYTE, off + OFFSET_FLAGS) & 0xFF; }
    public static int payloadLength(MemorySegment s, long off) { return s.get(U16, off + OFFSET_LENGTH) & 0xFFFF; }
    public static int connectionId(MemorySegment s, long off) { return s.get(U32, off + OFFSET_CONNECTION_ID); }
    public static long token(MemorySegment s, long off) { return s.get(U64, off + OFFSET_TOKEN); }
    public static int seq(MemorySegment s, long off) { return s.get(U32, off + OFFSET_SEQ); }
    public static int ack(MemorySegment s, long off) { return s.get(U32, off + OFFSET_ACK); }
    public static int window(MemorySegment s, long off) { return s.get(U32, off + OFFSET_WINDOW); }

    /** Writes a complete header; the payload (if any) goes at {@code off + LENGTH}. */
    public static void writeHeader(MemorySegment s, long off, int type, int flags, int payloadLength,
                                   int connectionId, long token, int seq, int ack, int window) {
        s.set(U16, off + OFFSET_MAGIC, MAGIC);
        s.set(ValueLayout.JAVA_BYTE, off + OFFSET_VERSION, VERSION);
        s.set(ValueLayout.JAVA_BYTE, off + OFFSET_TYPE, (byte) type);
        s.set(ValueLayout.JAVA_BYTE, off + OFFSET_FLAGS, (byte) flags);
        s.set(ValueLayout.JAVA_BYTE, off + OFFSET_RESERVED, (byte) 0);
        s.set(U16, off + OFFSET_LENGTH, (short) payloadLength);
        s.set(U32, off + OFFSET_CONNECTION_ID, connectionId);
        s.set(U64, off + OFFSET_TOKEN, token);
        s.set(U32, off + OFFSET_SEQ, seq);
        s.set(U32, off + OFFSET_ACK, ack);
        s.set(U32, off + OFFSET_WINDOW, window);
    }

    public static int getInt(MemorySegment s, long off) { return s.get(U32, off); }
    public static long getLong(MemorySegment s, long off) { return s.get(U64, off); }
    public static int getUnsignedShort(MemorySegment s, long off) { return s.get(U16, off) & 0xFFFF; }
    public static void putInt(MemorySegment s, long off, int v) { s.set(U32, off, v); }
    public static void putLong(MemorySegment s, long off, long v) { s.set(U64, off, v); }
    public static void putShort(MemorySegment s, long off, int v) { s.set(U16, off, (short) v); }
}
