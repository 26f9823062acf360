package io.tux.core.engine;

import static io.tux.core.packet.TuxHeader.*;
import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.engine.EngineCounters.Counter;
import io.tux.core.link.Link;
import io.tux.core.packet.DropReason;
import io.tux.core.packet.PacketCodec;
import io.tux.core.sim.Impairments;
import io.tux.core.testing.EnginePair;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Malformed and forged packets are dropped, counted under their reason, never delivered, never thrown. */
class BadInputTest {
    private EnginePair p;
    private MemorySegment packet;

    @BeforeEach
    void connect() throws Exception {
        p = new EnginePair(11, Impairments.NONE, EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.STREAM));
        packet = MemorySegment.ofArray(new byte[2048]);
    }

    /** A well-formed DATA packet to the server, as the client would send it next. */
    private int validData(int payload) {
        PacketCodec.writeHeader(packet, 0, TYPE_DATA, FLAG_ORDER, payload, p.server.localId, p.server.localToken,
                p.client.send.sndNext, p.client.receive.rcvNext, 64);
        for (int i = 0; i < payload; i++) packet.set(ValueLayout.JAVA_BYTE, LENGTH + i, (byte) 0x5A);
        return LENGTH + payload;
    }

    private void inject(int len) { p.b.onPacket(p.routeB, packet, 0, len); }

    private void assertDroppedAs(DropReason reason) {
        assertEquals(1, p.b.counters().dropped(reason), reason.name());
        assertEquals(1, p.b.counters().droppedTotal(), "exactly one drop");
        assertEquals(0, p.server.readableBytes(), "nothing delivered");
        assertEquals(0, p.b.counters().get(Counter.BYTES_DELIVERED));
        assertEquals(ConnectionState.ESTABLISHED, p.server.state());
    }

    @Test
    void aValidPacketIsDelivered() {
        inject(validData(10));
        assertEquals(10, p.server.readableBytes());
        assertEquals(0, p.b.counters().droppedTotal());
    }

    @Test
    void truncated() {
        validData(10);
        inject(LENGTH - 1);
        assertDroppedAs(DropReason.TRUNCATED);
    }

    @Test
    void wrongMagic() {
        int n = validData(10);
        packet.set(ValueLayout.JAVA_BYTE, OFFSET_MAGIC, (byte) 0x55);
        inject(n);
        assertDroppedAs(DropReason.BAD_MAGIC);
    }

    @Test
    void wrongVersion() {
        int n = validData(10);
        packet.set(ValueLayout.JAVA_BYTE, OFFSET_VERSION, (byte) 2);
        inject(n);
        assertDroppedAs(DropReason.BAD_VERSION);
    }

    @Test
    void unknownType() {
        int n = validData(10);
        packet.set(ValueLayout.JAVA_BYTE, OFFSET_TYPE, (byte) 99);
        inject(n);
        assertDroppedAs(DropReason.BAD_TYPE);
    }

    @Test
    void undefinedFlagBits() {
        int n = validData(10);
        packet.set(ValueLayout.JAVA_BYTE, OFFSET_FLAGS, (byte) 0x81);
        inject(n);
        assertDroppedAs(DropReason.BAD_FLAGS);
    }

    @Test
    void lengthFieldLongerThanThePacket() {
        int n = validData(10);
        PacketCodec.putShort(packet, OFFSET_LENGTH, 11);
        inject(n);
        assertDroppedAs(DropReason.BAD_LENGTH);
    }

    @Test
    void lengthFieldShorterThanThePacket() {
        int n = validData(10);
        PacketCodec.putShort(packet, OFFSET_LENGTH, 9);
        inject(n);
        assertDroppedAs(DropReason.BAD_LENGTH);
    }

    @Test
    void wrongToken() {
        int n = validData(10);
        PacketCodec.putLong(packet, OFFSET_TOKEN, p.server.localToken ^ 1);
        inject(n);
        assertDroppedAs(DropReason.BAD_TOKEN);
    }

    @Test
    void rightTokenFromTheWrongAddress() {
        int n = validData(10);
        p.b.onPacket(Link.NO_ROUTE, packet, 0, n);
        assertDroppedAs(DropReason.BAD_TOKEN);
    }

    @Test
    void unknownConnection() {
        int n = validData(10);
        PacketCodec.putInt(packet, OFFSET_CONNECTION_ID, 12345);
        inject(n);
        assertDroppedAs(DropReason.UNKNOWN_CONNECTION);
    }

    @Test
    void sequenceFarOutsideTheWindow() {
        int n = validData(10);
        PacketCodec.putInt(packet, OFFSET_SEQ, p.client.send.sndNext + 1_000_000);
        inject(n);
        assertDroppedAs(DropReason.OUTSIDE_WINDOW);
    }

    @Test
    void sequenceFarBehindIsADuplicate() {
        int n = validData(10);
        PacketCodec.putInt(packet, OFFSET_SEQ, p.client.send.sndNext - 1_000_000);
        inject(n);
        assertDroppedAs(DropReason.DUPLICATE);
    }

    @Test
    void ackForDataNeverSent() {
        int n = validData(10);
        PacketCodec.putInt(packet, OFFSET_ACK, p.server.send.sndNext + 500);
        inject(n);
        assertDroppedAs(DropReason.BAD_ACK);
    }

    @Test
    void payloadLongerThanTheAgreedMaximum() {
        int n = validData(p.server.maxPayload + 1);
        inject(n);
        assertDroppedAs(DropReason.BAD_LENGTH);
    }

    @Test
    void controlPacketWithAPayload() {
        int n = validData(3);
        packet.set(ValueLayout.JAVA_BYTE, OFFSET_TYPE, TYPE_RESET);
        inject(n);
        assertDroppedAs(DropReason.BAD_LENGTH);
    }

    @Test
    void forgedResetWithTheWrongTokenDoesNotReset() {
        PacketCodec.writeHeader(packet, 0, TYPE_RESET, 0, 0, p.server.localId, 42L, 0, 0, 0);
        inject(LENGTH);
        assertDroppedAs(DropReason.BAD_TOKEN);
    }

    @Test
    void handshakeWithAWrongLength() {
        PacketCodec.writeHeader(packet, 0, TYPE_HANDSHAKE, 0, 4, 0, 0, 0, 0, 0);
        inject(LENGTH + 4);
        assertDroppedAs(DropReason.BAD_LENGTH);
    }

    @Test
    void handshakeFromAStrangerForAnEstablishedConnection() {
        PacketCodec.writeHeader(packet, 0, TYPE_HANDSHAKE, 0, 28, p.server.localId, p.server.localToken, 0, 0, 64);
        PacketCodec.putInt(packet, LENGTH, 77);
        PacketCodec.putLong(packet, LENGTH + 4, 99L);
        packet.set(ValueLayout.JAVA_BYTE, LENGTH + 16, (byte) 1);
        PacketCodec.putShort(packet, LENGTH + 18, 1400);
        inject(LENGTH + 28);
        assertDroppedAs(DropReason.BAD_TOKEN);
    }

    @Property(tries = 2000, seed = "31337")
    void randomBytesNeverThrowNorDeliver(@ForAll long seed, @ForAll @IntRange(min = 0, max = 1500) int length)
            throws Exception {
        connect();
        byte[] junk = new byte[length];
        new SplittableRandom(seed).nextBytes(junk);
        if (length >= 2) { // half of them carry the magic, to get further in
            if ((seed & 1) == 0) {
                junk[0] = 0x54;
                junk[1] = 0x58;
                if (length > 2) junk[2] = 1;
            }
        }
        p.b.onPacket(p.routeB, MemorySegment.ofArray(junk), 0, length);
        assertEquals(0, p.server.readableBytes());
        assertEquals(1, p.b.counters().droppedTotal());
    }

    @Property(tries = 2000, seed = "4711")
    void mutatedHeadersNeverThrow(@ForAll long seed) throws Exception {
        connect();
        int n = validData(20);
        SplittableRandom r = new SplittableRandom(seed);
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips; i++) {
            int at = r.nextInt(LENGTH);
            packet.set(ValueLayout.JAVA_BYTE, at, (byte) r.nextInt(256));
        }
        int cut = r.nextInt(3);
        p.b.onPacket(p.routeB, packet, 0, n - cut);
        long delivered = p.server.readableBytes();
        // Only a packet whose length field matches what arrived can be delivered, and then all of it.
        assertTrue(delivered == 0 || delivered == 20 - cut, "delivered " + delivered);
        assertTrue(p.server.state() == ConnectionState.ESTABLISHED || p.server.state() == ConnectionState.RESET);
    }
}
