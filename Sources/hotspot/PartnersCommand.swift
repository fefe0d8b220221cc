import ArgumentParser
import Contact
import Foundation
import GeoKit
import HotspotConfig
import Partners

struct PartnersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partners",
        abstract: "The partner directory (server.partners: a GeoPackage, or PostgreSQL/PostGIS as PG:... or postgresql://...).",
        subcommands: [Import.self, List.self, Export.self, Check.self, Copy.self, Outbox.self])

    /// The store of the configuration (or --store).
    struct StoreOptions: ParsableArguments {
        @OptionGroup var common: ConfigOption
        @Option(help: "The store: a GeoPackage path, PG:... or postgresql://... (default: server.partners of the configuration).")
        var store: String?

        /// The store for reading: a missing one is an error that says how to make it (reading never creates it).
        func openExisting() throws -> PartnerStore {
            let store = try open()
            guard store.exists else {
                Terminal.error("no partner directory at \(store.path): run `hotspot partners import FILE` first")
                throw ExitCode.failure
            }
            return store
        }

        func open() throws -> PartnerStore {
            if let store { return try PartnersCommand.open(store) }
            do {
                return try PartnersCommand.open(try HotspotConfiguration.load(path: common.config).server.partners)
            } catch let error as ConfigError {
                Terminal.error(error.description)
                throw ExitCode.failure
            }
        }
    }

    /// A store at a location, its non-partner features said; a store that cannot be opened is one sentence.
    static func open(_ text: String) throws -> PartnerStore {
        let location = PartnerLocation(text)
        do {
            let store = try PartnerStore(location: location)
            for skipped in store.skipped { Terminal.warning("\(store.path): \(skipped) (left out of the directory)") }
            return store
        } catch let error as GeoError {
            Terminal.error("\(error)")  // it names the store
            throw ExitCode.failure
        } catch {
            Terminal.error("cannot open the partner store \(location): \(error)")
            throw ExitCode.failure
        }
    }

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the whole directory from one store to another (replacing what it held), e-mails and "
                + "timestamps included: the migration from the GeoPackage to PostgreSQL, or back.",
            discussion: examples("hotspot partners copy Config/partners.gpkg 'PG:host=db.example.org dbname=hotspot user=hotspot'",
                                 "hotspot partners copy postgresql://hotspot@db.example.org/hotspot backup.gpkg"))
        @Argument(help: "The store to read (a GeoPackage path, PG:... or postgresql://...).") var from: String
        @Argument(help: "The store to write.") var to: String

        func run() throws {
            guard PartnerLocation(from) != PartnerLocation(to) else {
                Terminal.error("the source and the destination are the same store")
                throw ExitCode.failure
            }
            let source = try PartnersCommand.open(from)
            guard source.exists else {
                Terminal.error("no partner directory at \(source.path): nothing to copy")
                throw ExitCode.failure
            }
            let partners = source.snapshot.partners
            let destination = try PartnersCommand.open(to)
            do {
                try destination.importAll(partners, replace: true)
            } catch {
                Terminal.error("copy failed, \(destination.path) is unchanged: \(error)")
                throw ExitCode.failure
            }
            let skipped = source.skipped.count
            Terminal.info("copied \(partners.count) partners from \(source.path) to \(destination.path)"
                          + (skipped > 0 ? "; \(skipped) features that are not partners were left behind" : ""))
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import partners from GeoJSON or CSV; rejected rows are reported; all or nothing is written.",
            discussion: examples("hotspot partners import Config/partners.geojson --replace", "hotspot partners import new-members.csv"))
        @OptionGroup var options: StoreOptions
        @Argument(help: "A GeoJSON FeatureCollection or a CSV file.") var file: String
        @Flag(help: "Replace the whole directory (default: add and update by id).") var replace = false

        func run() throws {
            let parsed: PartnerImport
            do {
                parsed = try PartnerImport(path: file, now: ISO8601DateFormatter().string(from: Date()))
            } catch {
                Terminal.error("\(file): \(error.reason); nothing imported")
                throw ExitCode.failure
            }
            for line in parsed.rejectionSummary { Terminal.error("\(file): \(line)") }
            if let first = parsed.derivedIDs.first {
                Terminal.info("\(file): \(parsed.derivedIDs.count) partner\(parsed.derivedIDs.count == 1 ? "" : "s") had no id: "
                              + "ids made from their names (row \(first.row): \(first.id))")
            }
            guard !parsed.partners.isEmpty else {
                Terminal.error("\(file): no valid partner; nothing imported")
                throw ExitCode.failure
            }
            let store = try options.open()
            do {
                try store.importAll(parsed.partners, replace: replace)
            } catch {
                Terminal.error("import failed, the store is unchanged: \(error)")
                throw ExitCode.failure
            }
            Terminal.info("imported \(parsed.partners.count) partners, rejected \(parsed.rejected.count); "
                          + "the store holds \(store.snapshot.count)")
        }
    }

    /// The contact relay's queue, for the secretariat: what waits and what was refused (never the partners' addresses).
    struct Outbox: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the contact messages that wait (unconfirmed, pending, sending) and those refused for good (failed).",
            discussion: examples("hotspot partners outbox", "hotspot partners outbox --state failed", "hotspot partners outbox --state sent"))
        @OptionGroup var options: StoreOptions
        @Option(help: "waiting (unconfirmed, pending, sending), failed, sent or all.") var state = "waiting"

        func run() throws {
            let states: [OutboxMessage.State] = switch state {
            case "waiting": [.unconfirmed, .pending, .sending]
            case "all": OutboxMessage.State.allCases
            default:
                if let one = OutboxMessage.State(rawValue: state) { [one] } else {
                    throw ValidationError("--state is waiting, failed, sent, unconfirmed, pending, sending or all, not '\(state)'")
                }
            }
            let messages: [OutboxMessage]
            do {
                messages = try PartnerOutbox(store: options.openExisting()).list(states: states)
            } catch let error as ExitCode {
                throw error
            } catch {
                Terminal.error("cannot read the contact outbox: \(error)")
                throw ExitCode.failure
            }
            let formatter = ISO8601DateFormatter()
            func time(_ seconds: Int64) -> String { formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))) }
            print("created\tkind\tstate\tattempts\tpartner\tsender\tnext attempt\tlast error")
            for m in messages {
                let next = m.state == .pending || m.state == .sending ? time(m.nextAttempt) : "-"
                print("\(time(m.created))\t\(m.kind.rawValue)\t\(m.state.rawValue)\t\(m.attempts)\t\(m.partnerID)\t"
                      + "\(m.senderName) <\(m.senderEmail)>\t\(next)\t\(m.lastError ?? "-")")
            }
            Terminal.info("\(messages.count) message(s)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List partners, one line each (id, type, country, name).",
                                                        discussion: examples("hotspot partners list --country FR --theme agroforestry"))
        @OptionGroup var options: StoreOptions
        @Option(help: "A theme.") var theme: String?
        @Option(help: "A type.") var type: String?
        @Option(help: "An ISO country code.") var country: String?
        @Option(help: "Words in the name or description.") var q: String?

        func run() throws {
            var filter = PartnerIndex.Filter(country: country, text: q)
            if let theme {
                guard let value = Theme(rawValue: theme) else { throw ValidationError("unknown theme \(theme)") }
                filter.theme = value
            }
            if let type {
                guard let value = PartnerType(rawValue: type) else { throw ValidationError("unknown type \(type)") }
                filter.type = value
            }
            for p in try options.openExisting().snapshot.list(filter) {
                print("\(p.id)\t\(p.type.rawValue)\t\(p.country)\t\(p.name)")
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the directory as GeoJSON or CSV (public fields "
                                                        + "unless --include-private).",
                                                        discussion: examples("hotspot partners export --format csv > partners.csv"))
        @OptionGroup var options: StoreOptions
        @Option(help: "geojson or csv.") var format = ExportFormat.geojson

        enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
            case geojson, csv
        }
        @Option(help: "Output file (default: standard output).") var out: String?
        @Flag(help: "Include the private contact e-mails.") var includePrivate = false

        func run() throws {
            let partners = try options.openExisting().snapshot.partners
            let data: Data
            if format == .csv {
                let text = ([Partner.csvColumns.joined(separator: ",")] + partners.map { $0.csvRow(includePrivate: includePrivate) })
                    .joined(separator: "\n") + "\n"
                data = Data(text.utf8)
            } else {
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                data = try encoder.encode(PartnerCollection(features: partners.map { $0.feature(includePrivate: includePrivate) }))
            }
            if let out {
                try data.write(to: URL(fileURLWithPath: out), options: .atomic)
                Terminal.info("wrote \(partners.count) partners to \(out)")
            } else {
                FileHandle.standardOutput.write(data)
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check every record of the store; non-zero exit if any is invalid.",
                                                        discussion: examples("hotspot partners check"))
        @OptionGroup var options: StoreOptions

        func run() throws {
            let store = try options.openExisting()
            let partners = store.snapshot.partners
            guard !partners.isEmpty else {
                Terminal.error("the partner directory at \(store.path) is empty: run `hotspot partners import FILE`")
                throw ExitCode.failure
            }
            var bad = store.skipped.count
            for p in partners {
                do { try p.validate() } catch {
                    Terminal.error("\(p.id): \(error)")
                    bad += 1
                }
            }
            Terminal.info("\(partners.count) partners, \(bad) invalid")
            if bad > 0 { throw ExitCode.failure }
        }
    }
}
