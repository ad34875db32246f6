/* The configure output liburing's test build force-includes: empty, as the suite needs
 * nothing from it on this platform. */
