// How one published trigger fared on one connection, decided when the connection's run is finished.
export type DeliveryOutcome =
  /** Not expected on this connection (published before it began, or after the final head). */
  | "unexpected"
  | "delivered"
  /** Expected while connected and never received. */
  | "lost"
  /** Published while disconnected and never received. */
  | "missed"
  /** Published while disconnected and received after the reconnect. */
  | "recovered";
