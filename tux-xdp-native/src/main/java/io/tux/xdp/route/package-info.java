/**
 * Where packets go: {@link io.tux.xdp.route.RouteResolver} turns a UDP address pair into a
 * {@link io.tux.xdp.route.RouteInfo} (interface, queue, MACs, next hop, MTU) from the routing and neighbour
 * tables of the current network namespace. Used at route set-up, not per packet.
 */
package io.tux.xdp.route;
