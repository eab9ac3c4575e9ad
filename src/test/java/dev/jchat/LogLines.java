package dev.jchat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The lines one logger (and the loggers below it) writes while this is open: for tests that count
 * log lines or search them. Closing it takes it off the logger. Thread-safe.
 */
public final class LogLines extends Handler implements AutoCloseable {

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger;

    /** Collects what {@code logger} ("" for every logger) passes on at its own levels. */
    public LogLines(String logger) {
        this.logger = Logger.getLogger(logger);
        setLevel(Level.ALL);
        this.logger.addHandler(this);
    }

    /** The records so far, in order. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Every record as it would be written, with its parameters and any exception, one after the other. */
    public String text() {
        SimpleFormatter format = new SimpleFormatter();
        StringBuilder all = new StringBuilder();
        for (LogRecord record : records) {
            all.append(format.format(record)).append(record.getMessage()).append('\n');
        }
        return all.toString();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
