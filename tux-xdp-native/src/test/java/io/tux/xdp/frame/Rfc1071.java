package io.tux.xdp.frame;

/** A deliberately naive reference of the Internet checksum over byte arrays, written straight from RFC 1071. */
final class Rfc1071 {

    private Rfc1071() {
    }

    /** The 16-bit ones' complement sum (not complemented) of the concatenation of {@code parts}. */
    static int onesComplementSum(byte[]... parts) {
        byte[] all = concat(parts);
        int sum = 0;
        for (int i = 0; i < all.length; i += 2) {
            int hi = all[i] & 0xFF;
            int lo = i + 1 < all.length ? all[i + 1] & 0xFF : 0;
            sum += hi << 8 | lo;
            while (sum > 0xFFFF) {
                sum = (sum & 0xFFFF) + 1;
            }
        }
        return sum;
    }

    /** The checksum field value: complement of the sum. */
    static int checksum(byte[]... parts) {
        return ~onesComplementSum(parts) & 0xFFFF;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    static byte[] range(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }
}
