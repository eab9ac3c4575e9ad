/**
 * The chat's settings. {@link dev.jchat.config.Setting} is the one table of them (name, default,
 * allowed values, meaning); {@link dev.jchat.config.ChatConfig} reads them once from the
 * environment and system properties, checks them against it and answers for them;
 * {@link dev.jchat.config.ConfigException} names what the user set. {@code --help}, the startup
 * report, the README's table and the Dockerfiles' lists are all made from the table.
 */
package dev.jchat.config;
