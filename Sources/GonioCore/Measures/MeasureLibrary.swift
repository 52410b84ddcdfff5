/// The outcome measures Gonio scores, as data. Sources and confidence per CLINICAL.md §1.
public enum MeasureLibrary {
    public static let all: [OutcomeMeasure] = [odi, ndi, lefs, koosJR, hoosJR, quickDASH, psfs, nprs, phq2, tug, chairStand30, berg]

    public static func measure(code: String) -> OutcomeMeasure? {
        all.first { $0.code == code.lowercased() }
    }

    static func options(_ range: ClosedRange<Int>, _ labels: [String] = []) -> [OutcomeMeasure.Option] {
        range.map { v in OutcomeMeasure.Option(value: v, label: labels.indices.contains(v - range.lowerBound) ? labels[v - range.lowerBound] : String(v)) }
    }

    static func items(_ prefix: String, _ texts: [String], _ opts: [OutcomeMeasure.Option]) -> [OutcomeMeasure.Item] {
        texts.enumerated().map { OutcomeMeasure.Item(id: "\(prefix)-\($0.offset + 1)", text: $0.element, options: opts) }
    }

    static let sixStatements = options(0...5, ["First statement (least difficulty)", "Second statement", "Third statement",
                                                "Fourth statement", "Fifth statement", "Sixth statement (most difficulty)"])
    static let noneToExtreme = options(0...4, ["None", "Mild", "Moderate", "Severe", "Extreme"])

    /// ODI v2.1a (Fairbank & Pynsent, Spine 2000;25:2940; CLINICAL.md §1.1). Sum / (5 × answered)
    /// × 100. Missing: the official form scores one missing section (/45); for more, sources differ,
    /// so Gonio scores with at least 9 of 10 answered (the policy CLINICAL.md recommends).
    /// Bands 0–20 minimal … 81–100 bed-bound; MCID 10 points or 30 % (Ostelo, Spine 2008;33:90).
    public static let odi = OutcomeMeasure(
        code: "odi", name: "Oswestry Disability Index (v2.1a)", kind: .questionnaire,
        items: items("odi", ["Pain intensity", "Personal care", "Lifting", "Walking", "Sitting", "Standing", "Sleeping",
                             "Sex life (if applicable)", "Social life", "Travelling"], sixStatements),
        rule: .percentOfAnswered(maxPerItem: 5, minAnswered: 9), scoreRange: 0...100, direction: .higherIsWorse,
        bands: [.init(lower: 0, label: "Minimal disability"), .init(lower: 21, label: "Moderate disability"),
                .init(lower: 41, label: "Severe disability"), .init(lower: 61, label: "Crippled"),
                .init(lower: 81, label: "Bed-bound or exaggerating symptoms")],
        scaleNote: "0 = no disability, 100 = maximal disability",
        meaningfulChange: .init(points: 10, percent: 30, source: "Ostelo et al., Spine 2008;33:90"),
        source: "Fairbank & Pynsent, Spine 2000;25:2940")

    /// NDI (Vernon & Mior, JMPT 1991;14:409; CLINICAL.md §1.2), reported as a percentage
    /// (raw × 2, or raw / (5 × answered) × 100 with one item missing, the ODI rule). Bands are
    /// Vernon 2008's raw bands doubled [uncertain: M]. Meaningful change 10 percentage points =
    /// 5 raw points (Stratford 1999 MDC90; Young 2009 advises the MDC as MCID) [scale uncertain].
    public static let ndi = OutcomeMeasure(
        code: "ndi", name: "Neck Disability Index", kind: .questionnaire,
        items: items("ndi", ["Pain intensity", "Personal care", "Lifting", "Reading", "Headaches", "Concentration",
                             "Work", "Driving", "Sleeping", "Recreation"], sixStatements),
        rule: .percentOfAnswered(maxPerItem: 5, minAnswered: 9), scoreRange: 0...100, direction: .higherIsWorse,
        bands: [.init(lower: 0, label: "No disability"), .init(lower: 10, label: "Mild disability"),
                .init(lower: 30, label: "Moderate disability"), .init(lower: 50, label: "Severe disability"),
                .init(lower: 70, label: "Complete disability")],
        scaleNote: "0 = no disability, 100 = complete disability",
        meaningfulChange: .init(points: 10, percent: nil, source: "Stratford 1999 (MDC90 5 raw points); Young et al., Spine J 2009;9:802"),
        source: "Vernon & Mior, JMPT 1991;14:409")

    /// LEFS (Binkley et al., Phys Ther 1999;79:371; CLINICAL.md §1.3): sum of 20 items 0–4,
    /// 0–80, higher = better; no official missing-item rule, so all 20 are required. MCID 9.
    public static let lefs = OutcomeMeasure(
        code: "lefs", name: "Lower Extremity Functional Scale", kind: .questionnaire,
        items: items("lefs", [
            "Usual work, housework or school", "Usual hobbies, recreation or sport", "Getting into or out of the bath",
            "Walking between rooms", "Putting on shoes or socks", "Squatting", "Lifting an object from the floor",
            "Light activities around the home", "Heavy activities around the home", "Getting into or out of a car",
            "Walking 2 blocks", "Walking a mile", "Going up or down 10 stairs", "Standing for 1 hour",
            "Sitting for 1 hour", "Running on even ground", "Running on uneven ground", "Making sharp turns while running fast",
            "Hopping", "Rolling over in bed",
        ], options(0...4, ["Extreme difficulty or unable", "Quite a bit of difficulty", "Moderate difficulty",
                           "A little bit of difficulty", "No difficulty"])),
        rule: .sumAll, scoreRange: 0...80, direction: .higherIsBetter, bands: [],
        scaleNote: "0 = extreme difficulty with everything, 80 = no difficulty",
        meaningfulChange: .init(points: 9, percent: nil, source: "Binkley et al., Phys Ther 1999;79:371"),
        source: "Binkley et al., Phys Ther 1999;79:371")

    /// KOOS JR raw 0–28 → interval score (HSS table, CLINICAL.md §1.4 [C]); all 7 items required
    /// (no missing rule found [uncertain]); MCID not settled, so none is applied.
    public static let koosJR = OutcomeMeasure(
        code: "koos-jr", name: "KOOS JR (knee)", kind: .questionnaire,
        items: items("koos-jr", ["Stiffness on first wakening in the morning", "Pain twisting or pivoting on the knee",
                                 "Pain straightening the knee fully", "Pain going up or down stairs", "Pain standing upright",
                                 "Difficulty rising from sitting", "Difficulty bending to the floor or picking up an object"], noneToExtreme),
        rule: .lookup([100.000, 91.975, 84.600, 79.914, 76.332, 73.342, 70.704, 68.284, 65.994, 63.776, 61.583, 59.381,
                       57.140, 54.840, 52.465, 50.012, 47.487, 44.905, 42.281, 39.625, 36.931, 34.174, 31.307, 28.251,
                       24.875, 20.941, 15.939, 8.291, 0.000]),
        scoreRange: 0...100, direction: .higherIsBetter, bands: [],
        scaleNote: "0 = total knee disability, 100 = perfect knee health", meaningfulChange: nil,
        source: "Lyman et al., CORR 2016 (HSS conversion table)")

    /// HOOS JR raw 0–24 → interval score (CLINICAL.md §1.5 [S: single public source; raw 9 least
    /// certain — verify against the HSS sheet]); all 6 items required; no MCID applied.
    public static let hoosJR = OutcomeMeasure(
        code: "hoos-jr", name: "HOOS JR (hip)", kind: .questionnaire,
        items: items("hoos-jr", ["Pain going up or down stairs", "Pain walking on an uneven surface", "Difficulty rising from sitting",
                                 "Difficulty bending to the floor or picking up an object",
                                 "Difficulty lying in bed (turning over, keeping hip position)", "Difficulty sitting"], noneToExtreme),
        rule: .lookup([100.000, 92.340, 85.257, 80.550, 76.776, 73.472, 70.426, 67.516, 64.664, 61.815, 58.930, 55.985,
                       52.965, 49.858, 46.652, 43.335, 39.902, 36.363, 32.735, 29.009, 25.103, 20.805, 15.633, 8.104, 0.000]),
        scoreRange: 0...100, direction: .higherIsBetter, bands: [],
        scaleNote: "0 = total hip disability, 100 = perfect hip health", meaningfulChange: nil,
        source: "Lyman et al., CORR 2016;474:1472 (HSS conversion table)")

    /// QuickDASH (Beaton et al., JBJS Am 2005;87:1038; CLINICAL.md §1.6): ((sum/n) − 1) × 25,
    /// not computable with more than 1 of 11 missing. MCID 15.91 (Franchignoni, JOSPT 2014).
    public static let quickDASH = OutcomeMeasure(
        code: "quickdash", name: "QuickDASH", kind: .questionnaire,
        items: items("quickdash", [
            "Opening a tight or new jar", "Heavy household chores", "Carrying a shopping bag or briefcase", "Washing your back",
            "Using a knife to cut food", "Recreational activities with arm force or impact",
            "Interference with social activities", "Limitation in work or daily activities", "Arm, shoulder or hand pain",
            "Tingling (pins and needles)", "Difficulty sleeping because of pain",
        ], options(1...5, ["No difficulty / none", "Mild", "Moderate", "Severe", "Unable / extreme"])),
        rule: .quickDASH(minAnswered: 10), scoreRange: 0...100, direction: .higherIsWorse, bands: [],
        scaleNote: "0 = no disability, 100 = most severe disability",
        meaningfulChange: .init(points: 15.91, percent: nil, source: "Franchignoni et al., JOSPT 2014"),
        source: "Beaton et al., JBJS Am 2005;87:1038")

    /// PSFS (Stratford et al., Physiother Can 1995;47:258; CLINICAL.md §1.7): mean of 1–5
    /// activity ratings 0–10. Meaningful change: MDC90 2 points for the average.
    public static let psfs = OutcomeMeasure(
        code: "psfs", name: "Patient-Specific Functional Scale", kind: .questionnaire,
        items: items("psfs", ["Activity 1", "Activity 2", "Activity 3", "Activity 4", "Activity 5"],
                     options(0...10).map { o in
                         var o = o
                         if o.value == 0 { o.label = "0 (unable)" } else if o.value == 10 { o.label = "10 (as before the problem)" }
                         return o
                     }),
        rule: .meanOfAnswered, scoreRange: 0...10, direction: .higherIsBetter, bands: [],
        scaleNote: "0 = unable to perform, 10 = able at pre-injury level",
        meaningfulChange: .init(points: 2, percent: nil, source: "Stratford et al., Physiother Can 1995;47:258 (MDC90)"),
        source: "Stratford et al., Physiother Can 1995;47:258")

    /// NPRS 0–10 (CLINICAL.md §1.8). Bands 0 none, 1–3 mild, 4–6 moderate, 7–10 severe are a common
    /// convention [uncertain: M]. Important improvement 2 points or 30 % (Ostelo 2008).
    public static let nprs = OutcomeMeasure(
        code: "nprs", name: "Numeric Pain Rating Scale", kind: .questionnaire,
        items: [.init(id: "nprs-1", text: "Pain right now", options: options(0...10))],
        rule: .single, scoreRange: 0...10, direction: .higherIsWorse,
        bands: [.init(lower: 0, label: "No pain"), .init(lower: 1, label: "Mild pain"),
                .init(lower: 4, label: "Moderate pain"), .init(lower: 7, label: "Severe pain")],
        scaleNote: "0 = no pain, 10 = worst imaginable",
        meaningfulChange: .init(points: 2, percent: 30, source: "Ostelo et al., Spine 2008;33:90"),
        source: "NRS-11")

    /// PHQ-2 (Kroenke, Spitzer & Williams, Med Care 2003;41:1284): two items 0–3, sum 0–6;
    /// 3 or more is a positive depression screen warranting follow-up. Not in CLINICAL.md
    /// [uncertain: M — recalled, not re-checked here].
    public static let phq2 = OutcomeMeasure(
        code: "phq2", name: "Patient Health Questionnaire-2", kind: .questionnaire,
        items: items("phq2", ["Little interest or pleasure in doing things", "Feeling down, depressed or hopeless"],
                     options(0...3, ["Not at all", "Several days", "More than half the days", "Nearly every day"])),
        rule: .sumAll, scoreRange: 0...6, direction: .higherIsWorse,
        bands: [.init(lower: 0, label: "Negative screen"), .init(lower: 3, label: "Positive screen: follow up for depression")],
        scaleNote: "0 to 6", meaningfulChange: nil, source: "Kroenke et al., Med Care 2003;41:1284")

    /// Timed Up and Go in seconds (Podsiadlo & Richardson 1991; CLINICAL.md §1.10): CDC STEADI
    /// fall-risk threshold 12 s. Not to be used alone (Barry 2014).
    public static let tug = OutcomeMeasure(
        code: "tug", name: "Timed Up and Go", kind: .performance,
        items: [.init(id: "tug-1", text: "Time in seconds", options: [])],
        rule: .single, scoreRange: 0...600, direction: .higherIsWorse,
        bands: [.init(lower: 0, label: "Below the fall-risk threshold"),
                .init(lower: 12, label: "At risk of falling (12 s or more, CDC STEADI)")],
        scaleNote: "seconds", meaningfulChange: nil, source: "Podsiadlo & Richardson 1991; CDC STEADI")

    /// 30-second chair stand (Jones, Rikli & Beam 1999): full stands in 30 s. The STEADI
    /// below-average thresholds depend on age and sex: see `ChairStand.isBelowAverage`.
    public static let chairStand30 = OutcomeMeasure(
        code: "chair-stand-30s", name: "30-Second Chair Stand", kind: .performance,
        items: [.init(id: "chair-stand-30s-1", text: "Full stands in 30 seconds", options: [])],
        rule: .single, scoreRange: 0...60, direction: .higherIsBetter, bands: [],
        scaleNote: "stands in 30 s; compare with the STEADI norms for age and sex", meaningfulChange: nil,
        source: "Jones, Rikli & Beam 1999; CDC STEADI")

    /// Berg Balance Scale: 14 items 0–4, 0–56; bands 0–20 wheelchair, 21–40 walking with
    /// assistance, 41–56 independent (CLINICAL.md §1.10 [C]); fall risk commonly below 45, which
    /// misses most fallers (Muir 2008), so the band speaks of mobility, not a verdict on falls.
    public static let berg = OutcomeMeasure(
        code: "berg", name: "Berg Balance Scale", kind: .performance,
        items: items("berg", ["Sitting to standing", "Standing unsupported", "Sitting unsupported", "Standing to sitting",
                              "Transfers", "Standing with eyes closed", "Standing with feet together", "Reaching forward",
                              "Picking up an object from the floor", "Turning to look behind", "Turning 360 degrees",
                              "Placing alternate foot on a stool", "Standing with one foot in front", "Standing on one leg"],
                     options(0...4)),
        rule: .sumAll, scoreRange: 0...56, direction: .higherIsBetter,
        bands: [.init(lower: 0, label: "Wheelchair bound"), .init(lower: 21, label: "Walking with assistance"),
                .init(lower: 41, label: "Independent")],
        scaleNote: "0 to 56", meaningfulChange: nil, source: "Berg et al. 1989; bands per CLINICAL.md §1.10")
}

/// STEADI "below average" thresholds for the 30-second chair stand (CLINICAL.md §1.10 [C]).
public enum ChairStand {
    public enum Sex: String, Sendable, Codable { case male, female }

    /// (lowest age of the band, men's threshold, women's threshold): below the threshold is below average.
    static let norms: [(age: Int, men: Int, women: Int)] = [
        (60, 14, 12), (65, 12, 11), (70, 12, 10), (75, 11, 10), (80, 10, 9), (85, 8, 8), (90, 7, 4),
    ]

    /// nil outside the normed ages (60–94).
    public static func isBelowAverage(stands: Int, age: Int, sex: Sex) -> Bool? {
        guard (60...94).contains(age), let band = norms.last(where: { age >= $0.age }) else { return nil }
        return stands < (sex == .male ? band.men : band.women)
    }
}
