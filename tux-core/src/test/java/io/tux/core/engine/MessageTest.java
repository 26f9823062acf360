package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.packet.TuxHeader;
import io.tux.core.packet.PacketCodec;
import io.tux.core.sim.Impairments;
import io.tux.core.testing.EnginePair;
import io.tux.core.testing.MessageTransfer;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class MessageTest {

    @Test
    void unorderedDeliveryDoesNotWaitForAnEarlierLostMessage() throws Exception {
        EnginePair p = new EnginePair(5, Impairments.NONE, EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.MESSAGE));
        // Drop the first transmission of the first data packet only.
        boolean[] dropped = {false};
        p.sim.network().filter((from, route, s, off, len) -> {
            if (!dropped[0] && from == p.linkA && PacketCodec.type(s, off) == TuxHeader.TYPE_DATA) {
                dropped[0] = true;
                return true;
            }
            return false;
        });
        assertTrue(p.client.writeMessage(ByteBuffer.wrap(new byte[] {1, 1, 1})));
        assertTrue(p.client.writeMessage(ByteBuffer.wrap(new byte[] {2, 2})));
        ByteBuffer in = ByteBuffer.allocate(16);
        assertTrue(p.sim.runUntil(() -> p.server.nextMessageLength() >= 0 ? -1 : 0, 1_000_000_000L));
        assertEquals(2, p.server.readMessage(in));
        assertArrayEquals(new byte[] {2, 2}, java.util.Arrays.copyOf(in.flip().array(), 2));
        in.clear();
        assertTrue(p.sim.runUntil(() -> p.server.nextMessageLength() >= 0 ? -1 : 0, 10_000_000_000L));
        assertEquals(3, p.server.readMessage(in));
        assertArrayEquals(new byte[] {1, 1, 1}, java.util.Arrays.copyOf(in.flip().array(), 3));
    }

    @Test
    void largestMessageIsFragmentedAndReassembled() throws Exception {
        EnginePair p = new EnginePair(6, Impairments.lossy(0.1, 0.1, 0.1), EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.MESSAGE));
        MessageTransfer t = new MessageTransfer(6, 50, Connection.MAX_MESSAGE_SIZE, p.client, p.server);
        assertTrue(p.sim.runUntil(t::step, 600_000_000_000L));
        assertTrue(t.allReceivedOnce());
    }

    @Test
    void emptyMessageAndTooLargeMessageAndTooSmallBuffer() throws Exception {
        EnginePair p = new EnginePair(7, Impairments.NONE, EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.MESSAGE));
        assertThrows(IllegalArgumentException.class,
                () -> p.client.writeMessage(ByteBuffer.allocate(Connection.MAX_MESSAGE_SIZE + 1)));
        assertTrue(p.client.writeMessage(ByteBuffer.allocate(0)));
        assertTrue(p.client.writeMessage(ByteBuffer.wrap(new byte[100])));
        assertTrue(p.sim.runUntil(() -> p.server.readableBytes() >= 4 + 4 + 100 ? -1 : 0, 1_000_000_000L));
        assertEquals(0, p.server.nextMessageLength());
        assertEquals(0, p.server.readMessage(ByteBuffer.allocate(0)));
        assertEquals(100, p.server.nextMessageLength());
        assertThrows(BufferOverflowException.class, () -> p.server.readMessage(ByteBuffer.allocate(99)));
        assertEquals(100, p.server.readMessage(ByteBuffer.allocate(100)));
        assertEquals(-1, p.server.nextMessageLength());
    }
}
