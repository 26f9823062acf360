package io.tux.core.packet;

/**
 * The payload of a handshake packet ({@link TuxHeader#TYPE_HANDSHAKE}): what each end tells the other about
 * itself. All fields big-endian; docs/PROTOCOL.md has the byte-by-byte layout and the exchange.
 */
public final class Handshake {
    private Handshake() {}

    /** The sender's connection id: the peer puts it in the header of every packet it sends us. */
    public static final int OFFSET_CONNECTION_ID = 0;
    /** The sender's token: the peer puts it in the header of every packet it sends us. */
    public static final int OFFSET_TOKEN = 4;
    /** The first data sequence number the sender will use. */
    public static final int OFFSET_ISN = 12;
    /** The sender's mode: 1 = stream, 2 = message. */
    public static final int OFFSET_MODE = 16;
    /** Handshake flags, {@link #FLAG_ESTABLISHED}. */
    public static final int OFFSET_FLAGS = 17;
    /** The largest payload the sender accepts in one packet. */
    public static final int OFFSET_MAX_PAYLOAD = 18;
    /** 64 bits that belong to the layer above the engine (tux-spi: the cutover point on the control channel). */
    public static final int OFFSET_APP_DATA = 20;
    /** Payload length of a handshake packet. */
    public static final int LENGTH = 28;

    /** The sender already holds both ends' parameters and considers the connection established. */
    public static final int FLAG_ESTABLISHED = 0x01;

    public static final int MODE_STREAM = 1;
    public static final int MODE_MESSAGE = 2;
}
