package io.tux.core.sim;

/**
 * What a {@link SimNetwork} does to packets: each probability is in [0, 1] and drawn independently per packet
 * from the network's seeded random source.
 *
 * @param loss        probability that a packet vanishes
 * @param duplicate   probability that a packet is delivered twice
 * @param reorder     probability that a packet is held back by up to {@code reorderDelayNanos} extra
 * @param corrupt     probability that one byte of a packet is flipped in flight; the receiving end's UDP
 *                    checksum (modelled) then drops it, as a NIC or kernel would
 * @param delayNanos  one-way delay of every packet
 * @param reorderDelayNanos the largest extra delay of a reordered packet
 * @param mtu         the largest Tux packet the link carries; larger ones are dropped
 */
public record Impairments(double loss, double duplicate, double reorder, double corrupt, long delayNanos,
                          long reorderDelayNanos, int mtu) {

    public static final int DEFAULT_MTU = 1472; // a 1500-byte Ethernet MTU less IPv4 and UDP headers

    public static final Impairments NONE = new Impairments(0, 0, 0, 0, 10_000, 0, DEFAULT_MTU);

    public Impairments {
        check("loss", loss);
        check("duplicate", duplicate);
        check("reorder", reorder);
        check("corrupt", corrupt);
        if (delayNanos < 0 || reorderDelayNanos < 0) throw new IllegalArgumentException("delays must be >= 0");
        if (mtu < 96 || mtu > 65507) throw new IllegalArgumentException("mtu must be in 96..65507: " + mtu);
    }

    private static void check(String name, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(name + " must be in [0, 1]: " + p);
    }

    public static Impairments lossy(double loss, double duplicate, double reorder) {
        return new Impairments(loss, duplicate, reorder, 0, 10_000, 50_000, DEFAULT_MTU);
    }

    public Impairments withCorrupt(double p) {
        return new Impairments(loss, duplicate, reorder, p, delayNanos, reorderDelayNanos, mtu);
    }

    public Impairments withMtu(int m) {
        return new Impairments(loss, duplicate, reorder, corrupt, delayNanos, reorderDelayNanos, m);
    }
}
