/**
 * The chat as a web application, for Tomcat 10.1 and Payara 6: {@link dev.jchat.war.ChatWebApp}
 * wires it at deployment, {@link dev.jchat.war.OpsServlet} serves the operator's paths,
 * {@link dev.jchat.war.WarConnections} reaches below the WebSocket API where each server allows
 * it, and {@link dev.jchat.war.ChatApplicationConfig} keeps the server's scan from deploying the
 * endpoint on its own. The servers find the first three by their annotations or interface, not
 * by name. Nothing here may name a Tyrus or Grizzly class: Tomcat has neither, so what is
 * particular to Payara's Tyrus is reached by class name through reflection.
 */
package dev.jchat.war;
