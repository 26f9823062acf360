package io.tux.core.packet;

import static io.tux.core.packet.TuxHeader.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The examples written in docs/PROTOCOL.md decode to what the text says and encode back byte for byte. */
class ProtocolDocTest {

    /** The bytes of the fenced block tagged {@code tag}: leading hex pairs of each line, the rest is comment. */
    static byte[] example(String tag) throws Exception {
        Path doc = Path.of(System.getProperty("user.dir")).resolve("../docs/PROTOCOL.md").normalize();
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int start = text.indexOf("```hex " + tag + "\n");
        assertTrue(start >= 0, "no example " + tag + " in " + doc);
        int end = text.indexOf("```", start + 7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : text.substring(text.indexOf('\n', start) + 1, end).split("\n")) {
            for (String word : line.trim().split("\\s+")) {
                if (!word.matches("[0-9A-Fa-f]{2}")) break;
                out.write(Integer.parseInt(word, 16));
            }
        }
        return out.toByteArray();
    }

    @Test
    void dataExample() throws Exception {
        byte[] bytes = example("example-data");
        MemorySegment s = MemorySegment.ofArray(bytes);
        assertEquals(PacketCodec.OK, PacketCodec.check(s, 0, bytes.length));
        assertEquals(TYPE_DATA, PacketCodec.type(s, 0));
        assertEquals(FLAG_ORDER, PacketCodec.flags(s, 0));
        assertEquals(5, PacketCodec.payloadLength(s, 0));
        assertEquals(7, PacketCodec.connectionId(s, 0));
        assertEquals(0x0123456789ABCDEFL, PacketCodec.token(s, 0));
        assertEquals(1000, PacketCodec.seq(s, 0));
        assertEquals(2000, PacketCodec.ack(s, 0));
        assertEquals(256, PacketCodec.window(s, 0));
        assertEquals("hello", new String(bytes, LENGTH, 5, StandardCharsets.US_ASCII));

        byte[] encoded = new byte[LENGTH + 5];
        MemorySegment e = MemorySegment.ofArray(encoded);
        PacketCodec.writeHeader(e, 0, TYPE_DATA, FLAG_ORDER, 5, 7, 0x0123456789ABCDEFL, 1000, 2000, 256);
        System.arraycopy("hello".getBytes(StandardCharsets.US_ASCII), 0, encoded, LENGTH, 5);
        assertArrayEquals(bytes, encoded);
    }

    @Test
    void handshakeExample() throws Exception {
        byte[] bytes = example("example-handshake");
        MemorySegment s = MemorySegment.ofArray(bytes);
        assertEquals(LENGTH + Handshake.LENGTH, bytes.length);
        assertEquals(PacketCodec.OK, PacketCodec.check(s, 0, bytes.length));
        assertEquals(TYPE_HANDSHAKE, PacketCodec.type(s, 0));
        assertEquals(0, PacketCodec.connectionId(s, 0));
        assertEquals(0, PacketCodec.token(s, 0));
        assertEquals(0x11223344, PacketCodec.seq(s, 0));
        long p = LENGTH;
        assertEquals(5, PacketCodec.getInt(s, p + Handshake.OFFSET_CONNECTION_ID));
        assertEquals(0xFEDCBA9876543210L, PacketCodec.getLong(s, p + Handshake.OFFSET_TOKEN));
        assertEquals(0x11223344, PacketCodec.getInt(s, p + Handshake.OFFSET_ISN));
        assertEquals(Handshake.MODE_STREAM, s.get(ValueLayout.JAVA_BYTE, p + Handshake.OFFSET_MODE));
        assertEquals(0, s.get(ValueLayout.JAVA_BYTE, p + Handshake.OFFSET_FLAGS));
        assertEquals(1440, PacketCodec.getUnsignedShort(s, p + Handshake.OFFSET_MAX_PAYLOAD));
        assertEquals(16, PacketCodec.getLong(s, p + Handshake.OFFSET_APP_DATA));

        byte[] encoded = new byte[LENGTH + Handshake.LENGTH];
        MemorySegment e = MemorySegment.ofArray(encoded);
        PacketCodec.writeHeader(e, 0, TYPE_HANDSHAKE, 0, Handshake.LENGTH, 0, 0, 0x11223344, 0, 256);
        PacketCodec.putInt(e, p + Handshake.OFFSET_CONNECTION_ID, 5);
        PacketCodec.putLong(e, p + Handshake.OFFSET_TOKEN, 0xFEDCBA9876543210L);
        PacketCodec.putInt(e, p + Handshake.OFFSET_ISN, 0x11223344);
        e.set(ValueLayout.JAVA_BYTE, p + Handshake.OFFSET_MODE, (byte) Handshake.MODE_STREAM);
        PacketCodec.putShort(e, p + Handshake.OFFSET_MAX_PAYLOAD, 1440);
        PacketCodec.putLong(e, p + Handshake.OFFSET_APP_DATA, 16);
        assertArrayEquals(bytes, encoded);
    }
}
