package io.tux.core.testing;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionState;
import io.tux.core.engine.Engine;
import io.tux.core.engine.EngineConfig;
import io.tux.core.engine.Mode;
import io.tux.core.sim.Impairments;
import io.tux.core.sim.SimulatedLink;
import io.tux.core.sim.Simulation;
import java.net.InetSocketAddress;

/** Two hosts on a simulated network, an engine on each, and one connection between them. */
public final class EnginePair {
    public final Simulation sim;
    public final SimulatedLink linkA;
    public final SimulatedLink linkB;
    public final Engine a;
    public final Engine b;
    public final InetSocketAddress addressA = new InetSocketAddress("10.0.0.1", 40000);
    public final InetSocketAddress addressB = new InetSocketAddress("10.0.0.2", 5000);
    public final int routeA;
    public final int routeB;
    public Connection client;
    public Connection server;

    public EnginePair(long seed, Impairments impairments, EngineConfig config) {
        sim = new Simulation(seed, impairments);
        linkA = sim.attach("10.0.0.1");
        linkB = sim.attach("10.0.0.2");
        a = sim.engine(linkA, config);
        b = sim.engine(linkB, config);
        routeA = linkA.openRoute(addressA, addressB);
        routeB = linkB.openRoute(addressB, addressA);
    }

    /** Opens both ends and runs the handshake to the end; returns whether both are established. */
    public boolean connect(Mode mode) throws Exception {
        client = a.open(routeA, mode, 0x1111L, null);
        server = b.open(routeB, mode, 0x2222L, null);
        return sim.runUntil(() -> client.state() != ConnectionState.HANDSHAKING
                && server.state() != ConnectionState.HANDSHAKING ? -1 : 0, 10_000_000_000L)
                && client.state() == ConnectionState.ESTABLISHED && server.state() == ConnectionState.ESTABLISHED;
    }
}
