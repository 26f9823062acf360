package io.tux.core.packet;

/**
 * The Tux header: the first {@link #LENGTH} bytes of every Tux packet (the UDP payload), all fields big-endian.
 * docs/PROTOCOL.md describes each field; {@link PacketCodec} reads and writes them.
 *
 * <pre>
 *  0      2   3    4     5     6        8               12                      20     24     28      32
 *  | magic | ver | type | flags | rsvd | length | connection id |        token        |  seq  |  ack  | window | payload...
 * </pre>
 */
public final class TuxHeader {
    private TuxHeader() {}

    /** "TX": every Tux packet starts with it, so that a stray UDP packet is never taken for Tux. */
    public static final short MAGIC = 0x5458;
    /** The only protocol version this code speaks. */
    public static final byte VERSION = 1;
    /** Header length in bytes. */
    public static final int LENGTH = 32;

    public static final int OFFSET_MAGIC = 0;
    public static final int OFFSET_VERSION = 2;
    public static final int OFFSET_TYPE = 3;
    public static final int OFFSET_FLAGS = 4;
    public static final int OFFSET_RESERVED = 5;
    public static final int OFFSET_LENGTH = 6;
    public static final int OFFSET_CONNECTION_ID = 8;
    public static final int OFFSET_TOKEN = 12;
    public static final int OFFSET_SEQ = 20;
    public static final int OFFSET_ACK = 24;
    public static final int OFFSET_WINDOW = 28;

    /** Packet types (the {@code type} byte). */
    public static final byte TYPE_DATA = 1;
    public static final byte TYPE_ACK = 2;
    public static final byte TYPE_HANDSHAKE = 3;
    public static final byte TYPE_FIN = 4;
    public static final byte TYPE_RESET = 5;
    /** Window probe: the receiver answers with an ACK carrying its current window. */
    public static final byte TYPE_PROBE = 6;

    /** Flag bits (the {@code flags} byte), from the paper's Figure 3. */
    public static final int FLAG_ORDER = 0x01;
    public static final int FLAG_FIRST = 0x02;
    public static final int FLAG_LAST = 0x04;
    /** Every flag bit this version defines; a packet with any other bit set is malformed. */
    public static final int FLAGS_KNOWN = FLAG_ORDER | FLAG_FIRST | FLAG_LAST;
}
