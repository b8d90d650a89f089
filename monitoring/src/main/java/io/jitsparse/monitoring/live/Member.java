package io.jitsparse.monitoring.live;

import java.util.List;

/**
 * A cluster member as this node sees it.
 *
 * @param address its Pekko address
 * @param roles its cluster roles, sorted
 * @param status its membership status ({@code Up}, {@code Leaving}, ...)
 * @param reachable whether this node's failure detector reaches it
 * @param self whether it is this node
 */
public record Member(
    String address, List<String> roles, String status, boolean reachable, boolean self) {

  /** Copies {@code roles}. */
  public Member {
    roles = List.copyOf(roles);
  }
}
