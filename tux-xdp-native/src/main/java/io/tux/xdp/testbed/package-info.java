/**
 * The shared test bed: {@link io.tux.xdp.testbed.NetnsTestBed}, two network namespaces joined by a veth pair,
 * with helpers to run commands and child JVMs inside them and read their counters. {@code bin/tux-testbed}
 * builds the same by hand.
 */
package io.tux.xdp.testbed;
