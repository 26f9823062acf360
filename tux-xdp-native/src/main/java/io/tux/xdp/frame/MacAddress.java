package io.tux.xdp.frame;

import java.util.HexFormat;
import java.util.Objects;

/**
 * Conversions of 48-bit Ethernet MAC addresses between {@code byte[6]}, a {@code long} (low 48 bits, first
 * byte most significant, as {@link ParsedFrame} reports them) and the text form {@code 02:00:5e:10:00:01}.
 *
 * <p>Stateless; safe from any thread. Not for the hot path (the text forms allocate).
 */
public final class MacAddress {

    /** The all-zero address, as used on the loopback interface. */
    public static final long ZERO = 0L;

    private MacAddress() {
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (case-insensitive) into 6 bytes. */
    public static byte[] parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.trim();
        if (t.length() != 17) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "'");
        }
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (i > 0 && t.charAt(i * 3 - 1) != ':') {
                throw new IllegalArgumentException("not a MAC address: '" + text + "'");
            }
            int hi = Character.digit(t.charAt(i * 3), 16);
            int lo = Character.digit(t.charAt(i * 3 + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not a MAC address: '" + text + "'");
            }
            mac[i] = (byte) (hi << 4 | lo);
        }
        return mac;
    }

    /** The 6 bytes as a long, first byte most significant. */
    public static long toLong(byte[] mac) {
        if (mac.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + mac.length);
        }
        long v = 0;
        for (byte b : mac) {
            v = (v << 8) | (b & 0xFF);
        }
        return v;
    }

    /** The low 48 bits of {@code mac} as 6 bytes. */
    public static byte[] toBytes(long mac) {
        byte[] b = new byte[6];
        for (int i = 5; i >= 0; i--) {
            b[i] = (byte) mac;
            mac >>>= 8;
        }
        return b;
    }

    /** Lower-case text form, {@code aa:bb:cc:dd:ee:ff}. */
    public static String format(long mac) {
        return HexFormat.ofDelimiter(":").formatHex(toBytes(mac));
    }

    /** Lower-case text form, {@code aa:bb:cc:dd:ee:ff}. */
    public static String format(byte[] mac) {
        return format(toLong(mac));
    }
}
