/// Passwords of 10 or more characters that appear near the top of published breach-frequency
/// lists (e.g. the NCSC "100k most common" list and SecLists' top-10-million, which NIST
/// SP 800-63B §5.1.1.2 points verifiers to). Shorter ones are already refused by length.
/// Stored lower-case; the check folds case.
enum CommonPasswords {
    static let list: Set<String> = [
        "1234567890", "12345678910", "123456789a", "1234567890a", "0123456789", "0987654321",
        "1111111111", "0000000000", "1234512345", "1q2w3e4r5t", "1q2w3e4r5t6y", "1qaz2wsx3edc",
        "qwertyuiop", "qwertyuiop1", "qwerty12345", "qwerty123456", "qwertyuiop123", "asdfghjkl1",
        "asdfghjkl;", "zxcvbnm123", "zaq12wsxcde3", "qazwsxedcrfv", "qweasdzxc123", "1qazxsw23edc",
        "password12", "password123", "password1234", "password12345", "password123!", "password!1",
        "passw0rd123", "p@ssw0rd123", "p@ssword123", "mypassword", "mypassword1", "passwordpassword",
        "yourpassword", "newpassword", "newpassword1", "changeme123", "letmein123", "welcome123",
        "welcome1234", "welcometo1", "iloveyou12", "iloveyou123", "iloveyou1234", "iloveyou!!",
        "football123", "baseball123", "basketball", "basketball1", "soccer1234", "superman123",
        "batman12345", "starwars123", "pokemon123", "princess123", "sunshine123", "monkey12345",
        "dragon12345", "shadow12345", "master12345", "michael123", "jennifer123", "jessica123",
        "charlie123", "computer123", "internet123", "administrator", "administrator1", "admin12345",
        "admin123456", "adminadmin", "rootpassword", "trustno1234", "abcdefghij", "abcdefghijk",
        "abc1234567", "abcd123456", "abcde12345", "a1b2c3d4e5", "aa12345678", "qwerty1234",
        "1234qwerty", "123qweasdzxc", "123123123123", "1231231231", "1212121212", "1122334455",
        "9876543210", "5555555555", "7777777777", "9999999999", "123456789123", "12341234",
        "987654321a", "princess12", "sunshine12", "whatever12", "trustno111", "football12",
        "chocolate1", "chocolate12", "butterfly1", "butterfly123", "blink18222", "lovelove12",
        "q1w2e3r4t5", "q1w2e3r4t5y6", "1a2b3c4d5e", "freedom123", "summer2024", "summer2025",
        "summer2026", "winter2024", "winter2025", "winter2026", "spring2026", "autumn2026",
        "password2024", "password2025", "password2026", "welcome2024", "welcome2025", "welcome2026",
        "january2026", "november2026", "december2026", "hello12345", "helloworld", "helloworld1",
        "loveyou123", "thomas1234", "liverpool1", "chelsea123", "arsenal123", "manchester",
        "manchester1", "jordan2323", "michael1234", "qwerty123!", "qwertyqwerty", "asdfasdfasdf",
        "1q2w3e4r5", "zxcvbnmasdf", "googledotcom", "facebook123", "linkedin123", "iloveyou2",
        "physicaltherapy", "physiotherapy", "therapist1", "therapist123", "patient123", "patient1234",
        "healthcare1", "healthcare123", "hospital123", "doctor1234", "nurse12345", "clinic1234",
        "gonio12345", "gonio123456", "goniopassword", "correcthorsebatterystaple",
    ]
}
