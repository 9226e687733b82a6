/* placeholder */ typedef int placeholder_analyzer;
