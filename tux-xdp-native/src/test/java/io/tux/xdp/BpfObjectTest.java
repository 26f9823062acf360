package io.tux.xdp;

import io.tux.xdp.xsk.XdpProgram;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compiled XDP program is packaged as a class-path resource: a BPF ELF object with BTF and our maps. */
class BpfObjectTest {

    @Test
    void objectIsOnTheClassPathAsBpfElfWithBtf() throws Exception {
        byte[] elf;
        try (InputStream in = XdpProgram.class.getResourceAsStream(XdpProgram.RESOURCE)) {
            assertNotNull(in, XdpProgram.RESOURCE + " missing from the jar resources");
            elf = in.readAllBytes();
        }
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F', 2, 1}, java.util.Arrays.copyOf(elf, 6), "64-bit LE ELF");
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(247, b.getShort(18), "e_machine EM_BPF");
        List<String> sections = sectionNames(b);
        assertTrue(sections.contains("xdp"), "program section xdp in " + sections);
        assertTrue(sections.contains(".maps"), "BTF-defined maps in " + sections);
        assertTrue(sections.contains(".BTF"), "BTF in " + sections);
        String all = new String(elf, StandardCharsets.ISO_8859_1);
        for (String symbol : new String[] {"tux_xdp", "tux_xsks", "tux_dests4", "tux_dests6", "tux_owner"}) {
            assertTrue(all.contains(symbol + "\0"), symbol);
        }
    }

    private static List<String> sectionNames(ByteBuffer b) {
        long shoff = b.getLong(0x28);
        int shentsize = b.getShort(0x3a) & 0xffff;
        int shnum = b.getShort(0x3c) & 0xffff;
        int shstrndx = b.getShort(0x3e) & 0xffff;
        long strOff = b.getLong((int) (shoff + (long) shstrndx * shentsize + 0x18));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            int nameOff = b.getInt((int) (shoff + (long) i * shentsize));
            StringBuilder s = new StringBuilder();
            for (int p = (int) (strOff + nameOff); b.get(p) != 0; p++) {
                s.append((char) b.get(p));
            }
            names.add(s.toString());
        }
        return names;
    }
}
