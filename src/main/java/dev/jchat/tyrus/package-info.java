/**
 * What both runtimes that run Tyrus reach into below the WebSocket API, in one place: the
 * standalone launcher (Tyrus 2.1.6 on Grizzly 4.0.2, {@code dev.jchat.launcher.grizzly}) and
 * Payara's WAR (Payara 6 runs Tyrus 2.1.5.payara-p2, {@code dev.jchat.war}). Tyrus keeps what lies
 * under a session (its writer, the connection under that) in private fields;
 * {@link dev.jchat.tyrus.FieldPath#TYRUS_WRITER} is the way down both take, and each goes on from
 * there its own way. Classes are named, never imported, so this package loads in Tomcat, which
 * has no Tyrus, and in the WAR, which has no Grizzly. When a Tyrus renames a field on the way, the
 * walk throws and its caller warns once and falls back (see the two packages above).
 */
package dev.jchat.tyrus;
