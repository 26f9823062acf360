package io.tux.core.sim;

import io.tux.core.engine.Engine;
import io.tux.core.engine.EngineConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Engines over a {@link SimNetwork}, driven from one thread on virtual time: every round runs each engine's
 * loop once and then the caller's step (the application's reads and writes); when nothing at all happened,
 * time jumps to the next packet arrival or timer. Deterministic for a given seed.
 */
public final class Simulation {
    /** The application's part of a round. */
    @FunctionalInterface
    public interface Step {
        /** @return a negative number when finished, 0 when it could do nothing, positive when it progressed */
        int run() throws Exception;
    }

    private final VirtualClock clock = new VirtualClock(1_000_000_000L);
    private final SimNetwork network;
    private final SplittableRandom seeds;
    private final List<Engine> engines = new ArrayList<>();
    private long rounds;

    public Simulation(long seed, Impairments impairments) {
        this.seeds = new SplittableRandom(seed);
        this.network = new SimNetwork(seeds.nextLong(), impairments, clock);
    }

    public VirtualClock clock() { return clock; }

    public SimNetwork network() { return network; }

    public long rounds() { return rounds; }

    public SimulatedLink attach(String ipv4) {
        try {
            return network.attach(InetAddress.getByName(ipv4));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ipv4, e);
        }
    }

    public Engine engine(SimulatedLink link, EngineConfig config) {
        Engine e = new Engine(link, config, clock, seeds.nextLong());
        engines.add(e);
        return e;
    }

    /**
     * Runs rounds until {@code step} says it is finished.
     *
     * @return true if it finished; false if {@code maxVirtualNanos} of virtual time passed or nothing was left
     *     that could ever happen (no packet in flight, no timer, no progress): a deadlock
     */
    public boolean runUntil(Step step, long maxVirtualNanos) throws Exception {
        long end = clock.nanoTime() + maxVirtualNanos;
        while (true) {
            rounds++;
            int work = 0;
            for (Engine e : engines) work += e.doWork();
            int s = step.run();
            if (s < 0) return true;
            if (work == 0 && s == 0) {
                long next = network.nextDelivery();
                for (Engine e : engines) next = Math.min(next, e.nextDeadline());
                if (next == Long.MAX_VALUE || next > end) return false;
                clock.advanceTo(Math.max(next, clock.nanoTime() + 1));
            }
            if (clock.nanoTime() > end) return false;
        }
    }
}
