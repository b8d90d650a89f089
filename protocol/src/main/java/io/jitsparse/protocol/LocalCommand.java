package io.jitsparse.protocol;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;

/**
 * Marker of an actor's own commands: they never leave their JVM, so Pekko's {@code
 * serialize-messages = on} test mode skips them and verifies only the protobuf messages of {@code
 * jitsparse.proto}, the ones that really cross the wire.
 */
public interface LocalCommand extends NoSerializationVerificationNeeded {}
