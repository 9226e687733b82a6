/* placeholder */ typedef int placeholder_report_text;
